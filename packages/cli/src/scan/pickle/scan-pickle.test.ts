import { describe, expect, it } from 'vitest';
import { scanBytes, summary, worst } from '../../../test/fixtures/helpers.js';
import { benignTorchPickle, maliciousPickle, PickleWriter } from '../../../test/fixtures/pickle-writer.js';
import { rateGlobal } from './policy.js';

const critical = (bytes: Uint8Array, target = 'os.system') =>
  scanBytes(bytes).filter((f) => f.severity === 'critical' && f.evidence?.includes(target));

describe('pickle: global resolution paths', () => {
  it.each([0, 1, 2, 3, 4, 5])('GLOBAL + REDUCE in protocol %i is critical', (proto) => {
    const w = new PickleWriter();
    if (proto >= 2) w.proto(proto);
    const bytes = w.global('os', 'system').op('MARK').string0('id').op('TUPLE').op('REDUCE').stop().build();
    const hits = critical(bytes);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.evidence).toContain('invoked via REDUCE');
    expect(hits[0]!.offset).toBe(proto >= 2 ? 2 : 0);
  });

  it('STACK_GLOBAL with literal strings', () => {
    expect(critical(maliciousPickle(4))).toHaveLength(1);
  });

  it('STACK_GLOBAL with module/name hidden behind the memo (BINPUT/BINGET)', () => {
    const bytes = new PickleWriter()
      .proto(4)
      .str('posix')
      .put(1)
      .op('POP')
      .str('system')
      .put(2)
      .op('POP')
      .get(1)
      .get(2)
      .op('STACK_GLOBAL')
      .str('id')
      .op('TUPLE1')
      .op('REDUCE')
      .stop()
      .build();
    expect(summary(scanBytes(bytes))).toEqual([
      'critical pickle/dangerous-global STACK_GLOBAL posix.system, invoked via REDUCE',
    ]);
  });

  it('memo via LONG_BINPUT/LONG_BINGET, MEMOIZE and text PUT/GET', () => {
    const bytes = new PickleWriter()
      .proto(4)
      .str('subprocess')
      .op('MEMOIZE') // memo[0]
      .str('check_output')
      .put(300) // LONG_BINPUT
      .op('POP')
      .op('POP')
      .op('BINGET', 0)
      .get(300) // LONG_BINGET
      .op('STACK_GLOBAL')
      .op('PUT')
      .line('7')
      .op('POP')
      .op('GET')
      .line('7')
      .op('EMPTY_TUPLE')
      .op('REDUCE')
      .stop()
      .build();
    expect(critical(bytes, 'subprocess.check_output')).toHaveLength(1);
  });

  it('a callable stored in the memo and called later', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .global('builtins', 'eval')
      .put(5)
      .op('POP')
      .op('NONE')
      .op('POP')
      .get(5)
      .str('1+1')
      .op('TUPLE1')
      .op('REDUCE')
      .stop()
      .build();
    expect(critical(bytes, 'builtins.eval')[0]!.evidence).toContain('REDUCE');
  });

  it('INST (protocol 0 class instantiation)', () => {
    const bytes = new PickleWriter().op('MARK').string0('ls').inst('subprocess', 'Popen').stop().build();
    expect(critical(bytes, 'subprocess.Popen')[0]!.evidence).toBe('INST subprocess.Popen, invoked via INST');
  });

  it('OBJ with the class on the stack', () => {
    const bytes = new PickleWriter()
      .proto(1)
      .op('MARK')
      .global('os', 'popen')
      .str('id')
      .op('OBJ')
      .stop()
      .build();
    expect(critical(bytes, 'os.popen')[0]!.evidence).toContain('via OBJ');
  });

  it('NEWOBJ and NEWOBJ_EX', () => {
    const a = new PickleWriter()
      .proto(2)
      .global('socket', 'socket')
      .op('EMPTY_TUPLE')
      .op('NEWOBJ')
      .stop()
      .build();
    expect(critical(a, 'socket.socket')[0]!.evidence).toContain('NEWOBJ');
    const b = new PickleWriter()
      .proto(4)
      .stackGlobal('webbrowser', 'open')
      .op('EMPTY_TUPLE')
      .op('EMPTY_DICT')
      .op('NEWOBJ_EX')
      .stop()
      .build();
    expect(critical(b, 'webbrowser.open')[0]!.evidence).toContain('NEWOBJ_EX');
  });

  it('BUILD on an object records __setstate__', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .global('mylib.models', 'Net')
      .op('EMPTY_TUPLE')
      .op('NEWOBJ')
      .op('EMPTY_DICT')
      .op('BUILD')
      .stop()
      .build();
    expect(summary(scanBytes(bytes))).toEqual([
      'high pickle/unknown-global GLOBAL mylib.models.Net, invoked via NEWOBJ/BUILD',
    ]);
  });

  it.each([
    ['builtins', 'exec'],
    ['builtins', 'getattr'],
    ['builtins', '__import__'],
    ['builtins', 'compile'],
    ['builtins', 'open'],
    ['__builtin__', 'eval'],
    ['nt', 'system'],
    ['posix', 'execv'],
    ['os', 'execvp'],
    ['importlib', 'import_module'],
    ['runpy', 'run_path'],
    ['pty', 'spawn'],
    ['code', 'InteractiveInterpreter'],
    ['shutil', 'rmtree'],
    ['socket', 'create_connection'],
    ['webbrowser', 'open'],
    ['numpy.testing._private.utils', 'runstring'],
    ['torch', 'serialization.os.system'],
    ['commands', 'getoutput'],
  ])('%s.%s is critical', (m, n) => {
    expect(rateGlobal(m, n).severity).toBe('critical');
  });

  it('dotted names are resolved attribute by attribute', () => {
    const bytes = new PickleWriter().proto(4).stackGlobal('builtins', 'getattr.__self__').stop().build();
    expect(worst(scanBytes(bytes))).toBe('critical');
    expect(rateGlobal('numpy', 'core.os.system').reason).toContain('attribute traversal');
  });

  it('globals off the allow list are high; allow-listed ones are not reported', () => {
    expect(rateGlobal('my_project.layers', 'Block')).toMatchObject({ severity: 'high', kind: 'unlisted' });
    expect(rateGlobal('requests', 'get').severity).toBe('high');
    expect(rateGlobal('torch._utils', '_rebuild_tensor_v2').severity).toBe('safe');
    expect(scanBytes(benignTorchPickle())).toEqual([]);
  });

  it('STACK_GLOBAL operands built by allowed calls are followed to the real target', () => {
    const bytes = new PickleWriter()
      .proto(4)
      .global('builtins', 'str')
      .bytes_(new TextEncoder().encode('os'))
      .str('ascii')
      .op('TUPLE2')
      .op('REDUCE')
      .str('system')
      .op('STACK_GLOBAL')
      .str('id')
      .op('TUPLE1')
      .op('REDUCE')
      .stop()
      .build();
    expect(summary(scanBytes(bytes))).toContain(
      'critical pickle/dangerous-global STACK_GLOBAL os.system, invoked via REDUCE',
    );
  });

  it('operands that cannot be followed: high, critical once the result is called', () => {
    const computed = () =>
      new PickleWriter()
        .proto(4)
        .global('codecs', 'decode')
        .str('bf')
        .str('rot13')
        .op('TUPLE2')
        .op('REDUCE')
        .str('x');
    const notCalled = computed().op('STACK_GLOBAL').stop().build();
    expect(summary(scanBytes(notCalled))).toContain(
      'high pickle/dynamic-global STACK_GLOBAL codecs.decode(…)."x"',
    );
    const called = computed().op('STACK_GLOBAL').op('EMPTY_TUPLE').op('REDUCE').stop().build();
    expect(scanBytes(called).find((f) => f.ruleId === 'pickle/dynamic-global')?.severity).toBe('critical');
  });
});

describe('pickle: state changed at load time', () => {
  it('BUILD on an imported module or class is critical', () => {
    const onModule = new PickleWriter()
      .proto(4)
      .stackGlobal('collections', 'abc')
      .op('MEMOIZE')
      .op('NONE')
      .op('EMPTY_DICT')
      .str('Mapping')
      .stackGlobal('builtins', 'dict')
      .op('SETITEM')
      .op('TUPLE2')
      .op('BUILD')
      .stop()
      .build();
    expect(summary(scanBytes(onModule))).toContain(
      'critical pickle/global-mutation BUILD on collections.abc',
    );
    // Through the memo, with a dict state.
    const viaMemo = new PickleWriter()
      .proto(2)
      .global('uuid', 'UUID')
      .put(3)
      .op('POP')
      .get(3)
      .op('EMPTY_DICT')
      .op('BUILD')
      .stop()
      .build();
    expect(worst(scanBytes(viaMemo))).toBe('critical');
  });

  it('items added to an imported registry are critical (copyreg extension codes)', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .global('copyreg', '_inverted_registry')
      .int(240)
      .str('posix')
      .str('system')
      .op('TUPLE2')
      .op('SETITEM')
      .stop()
      .build();
    expect(summary(scanBytes(bytes))).toContain(
      'critical pickle/global-mutation SETITEM on copyreg._inverted_registry',
    );
  });

  it('BUILD on objects built by the pickle is normal', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .global('collections', 'OrderedDict')
      .op('EMPTY_TUPLE')
      .op('REDUCE')
      .op('EMPTY_DICT')
      .op('BUILD')
      .stop()
      .build();
    expect(scanBytes(bytes)).toEqual([]);
  });
});

describe('pickle: frames', () => {
  const payload = () =>
    new PickleWriter().stackGlobal('os', 'system').str('id').op('TUPLE1').op('REDUCE').stop().build();
  it.each([
    ['an opcode running past its frame', new PickleWriter().proto(4).frame(3).raw(payload()).build()],
    [
      'a frame longer than the stream',
      new PickleWriter()
        .proto(4)
        .frame(1 << 20)
        .raw(payload())
        .build(),
    ],
    [
      'a frame opened inside another',
      new PickleWriter()
        .proto(4)
        .frame(40)
        .op('NONE')
        .op('POP')
        .frame(payload().length)
        .raw(payload())
        .build(),
    ],
  ])('%s is reported, and the payload after it is still read', (_name, bytes) => {
    const rules = summary(scanBytes(bytes));
    expect(rules.some((r) => r.startsWith('high pickle/frame-mismatch'))).toBe(true);
    expect(rules).toContain('critical pickle/dangerous-global STACK_GLOBAL os.system, invoked via REDUCE');
  });

  it('frames as CPython writes them are silent', () => {
    const body = new PickleWriter().op('EMPTY_DICT').op('MEMOIZE').stop().build();
    expect(scanBytes(new PickleWriter().proto(4).frame(body.length).raw(body).build())).toEqual([]);
  });
});

describe('pickle: bypass styles', () => {
  it('a pickle nested inside a bytes payload is scanned', () => {
    const inner = maliciousPickle(2);
    const outer = new PickleWriter()
      .proto(3)
      .global('torch.storage', '_load_from_bytes')
      .bytes_(inner)
      .op('TUPLE1')
      .op('REDUCE')
      .stop()
      .build();
    const f = scanBytes(outer);
    const hit = f.find((x) => x.severity === 'critical');
    expect(hit?.entry).toMatch(/^bytes@/);
    expect(f.some((x) => x.ruleId === 'archive/nested-payload')).toBe(true);
  });

  it('a second concatenated stream is scanned', () => {
    const two = new Uint8Array([
      ...new PickleWriter().proto(2).op('NONE').stop().build(),
      ...maliciousPickle(2),
    ]);
    expect(worst(scanBytes(two))).toBe('critical');
  });

  it('joblib inline array data is skipped and the stream resynchronised', () => {
    const dtype = (w: PickleWriter) =>
      w
        .global('numpy', 'dtype')
        .str('f8')
        .op('NEWFALSE')
        .op('NEWTRUE')
        .op('TUPLE3')
        .op('REDUCE')
        .op('MARK')
        .int(3)
        .str('<')
        .op('NONE')
        .op('NONE')
        .op('NONE')
        .int(0xffffffff)
        .int(0xffffffff)
        .int(0)
        .op('TUPLE')
        .op('BUILD');
    const w = new PickleWriter()
      .proto(4)
      .global('joblib.numpy_pickle', 'NumpyArrayWrapper')
      .op('EMPTY_TUPLE')
      .op('NEWOBJ')
      .op('EMPTY_DICT');
    w.op('MARK').str('shape').int(2).int(3).op('TUPLE2').str('dtype');
    dtype(w);
    w.str('numpy_array_alignment_bytes').int(16).op('SETITEMS').op('BUILD');
    // Padding length byte + padding, then 2x3 float64 = 48 bytes of raw data full of opcode-like bytes.
    w.raw(3, 0xff, 0xff, 0xff).raw(...new Array(48).fill(0x52));
    w.op('POP').global('os', 'system').op('POP').stop();
    const f = scanBytes(w.build());
    expect(f.filter((x) => x.ruleId === 'pickle/malformed')).toEqual([]);
    expect(worst(f)).toBe('critical');
  });

  it('joblib object arrays embed a pickle that is scanned', () => {
    const w = new PickleWriter()
      .proto(4)
      .global('joblib.numpy_pickle', 'NumpyArrayWrapper')
      .op('EMPTY_TUPLE')
      .op('NEWOBJ')
      .op('EMPTY_DICT');
    w.op('MARK')
      .str('shape')
      .int(1)
      .op('TUPLE1')
      .str('dtype')
      .global('numpy', 'dtype')
      .str('O8')
      .op('TUPLE1')
      .op('REDUCE');
    w.op('SETITEMS')
      .op('BUILD')
      .raw(...maliciousPickle(2))
      .op('POP')
      .stop();
    const f = scanBytes(w.build());
    expect(f.find((x) => x.severity === 'critical')?.entry).toMatch(/^joblib-object-array@/);
  });
});

describe('pickle: policy false positives', () => {
  it.each([
    ['torch.autograd.profiler', 'profile'],
    ['mylib.code', 'Encoder'],
    ['transformers.models.bert.modeling_bert', 'BertModel'],
  ])('%s.%s is not critical', (m, n) => {
    expect(rateGlobal(m, n).severity).toBe('high');
  });
});

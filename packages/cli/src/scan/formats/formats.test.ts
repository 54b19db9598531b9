import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { scanBytes, summary, testContext, worst } from '../../../test/fixtures/helpers.js';
import {
  benignTorchPickle,
  maliciousPickle,
  PickleWriter,
  u64,
} from '../../../test/fixtures/pickle-writer.js';
import {
  gguf,
  h5,
  kerasConfig,
  npy,
  onnxWithExternal,
  safetensors,
  savedModel,
  torchZip,
  zip,
} from '../../../test/fixtures/samples.js';
import { MemorySource } from '../bytes.js';
import { scanPath } from '../scanner.js';
import { scanOnnx } from './onnx.js';
import { scanTensorflow } from './tensorflow.js';

describe('PyTorch archives', () => {
  it('benign stored and deflated archives have no findings', () => {
    expect(scanBytes(torchZip(benignTorchPickle(), 0))).toEqual([]);
    expect(scanBytes(torchZip(benignTorchPickle(), 6))).toEqual([]);
  });
  it('malicious data.pkl is critical with the entry path', () => {
    const f = scanBytes(torchZip(maliciousPickle(2), 6));
    expect(f[0]).toMatchObject({ severity: 'critical', entry: 'archive/data.pkl' });
  });
  it('a pickle hidden under another entry name, and a zip inside the zip', () => {
    const hidden = zip({
      'archive/data.pkl': benignTorchPickle(),
      'archive/extra/readme.txt': maliciousPickle(4),
    });
    expect(worst(scanBytes(hidden))).toBe('critical');
    const nested = zip({ 'inner.zip': torchZip(maliciousPickle(2)) });
    const f = scanBytes(nested);
    expect(f.find((x) => x.severity === 'critical')?.entry).toBe('inner.zip!archive/data.pkl');
  });
  it('legacy (non-zip) torch files: several concatenated pickles', () => {
    const legacy = new Uint8Array([
      ...maliciousPickle(2, 'builtins', 'int'),
      ...maliciousPickle(2),
      1,
      2,
      3,
      4,
    ]);
    expect(summary(scanBytes(legacy))).toContain(
      'critical pickle/dangerous-global GLOBAL os.system, invoked via REDUCE',
    );
  });
  it('corrupt archives are findings', () => {
    const z = torchZip(benignTorchPickle());
    expect(scanBytes(z.subarray(0, z.length - 30)).map((f) => f.ruleId)).toContain('archive/corrupt');
  });
  it('zip slip entry names are flagged', () => {
    expect(scanBytes(zip({ '../../etc/evil': 'x' })).map((f) => f.ruleId)).toContain(
      'archive/path-traversal',
    );
  });
});

describe('NumPy', () => {
  it('numeric arrays are fine; object arrays are medium plus their pickle', () => {
    expect(scanBytes(npy('<f4', '(2,)', new Uint8Array(8)))).toEqual([]);
    const f = scanBytes(npy('|O', '(1,)', maliciousPickle(2)));
    expect(summary(f)).toEqual([
      "medium numpy/object-array descr '|O'",
      'critical pickle/dangerous-global GLOBAL os.system, invoked via REDUCE',
    ]);
  });
  it('.npz archives', () => {
    const f = scanBytes(
      zip(
        { 'a.npy': npy('<f8', '(1,)', new Uint8Array(8)), 'b.npy': npy('|O', '(1,)', maliciousPickle(3)) },
        6,
      ),
    );
    expect(f.find((x) => x.severity === 'critical')?.entry).toBe('b.npy');
  });
});

describe('Keras', () => {
  it('.keras Lambda layers with suspicious bytecode are critical', () => {
    const f = scanBytes(
      zip({ 'config.json': kerasConfig(), 'metadata.json': '{}', 'model.weights.h5': new Uint8Array(8) }),
    );
    expect(f[0]).toMatchObject({ ruleId: 'keras/lambda-layer', severity: 'critical' });
  });
  it('harmless Lambda is high; custom objects medium; os references critical (CVE-2025-1550)', () => {
    const cfg = JSON.stringify({
      class_name: 'Functional',
      config: {
        layers: [
          {
            class_name: 'Lambda',
            config: { name: 'scale', function: ['YWJjZGVmZ2hpamtsbW5vcA==', null, null] },
          },
          {
            class_name: 'MyBlock',
            module: 'my_package.layers',
            config: { name: 'b' },
            registered_name: 'Custom>MyBlock',
          },
          { class_name: 'function', module: 'os', config: 'system' },
        ],
      },
    });
    const f = summary(scanBytes(zip({ 'config.json': cfg, 'metadata.json': '{}' })));
    expect(f).toEqual([
      'high keras/lambda-layer layer scale',
      'medium keras/custom-object b: my_package.layers.MyBlock',
      'critical keras/dangerous-reference $.config.layers[2]: module=os class_name=function',
    ]);
  });
  it('.h5 model_config found by scanning', () => {
    expect(worst(scanBytes(h5(kerasConfig())))).toBe('critical');
    expect(scanBytes(h5('{"class_name": "Sequential", "config": {"layers": []}}'))).toEqual([]);
  });
});

describe('TensorFlow, ONNX', () => {
  it('SavedModel risky ops', () => {
    const ctx = testContext();
    scanTensorflow(new MemorySource(savedModel(['Const', 'ReadFile', 'PyFunc', 'MatMul'])), ctx);
    expect(summary(ctx.findings)).toEqual([
      'high tensorflow/risky-op op ReadFile (node n1)',
      'critical tensorflow/risky-op op PyFunc (node n2)',
    ]);
  });
  it('garbage .pb falls back to a string scan', () => {
    const ctx = testContext();
    scanTensorflow(
      new MemorySource(new Uint8Array([0xff, 0xff, 0xff, 0x20, ...Buffer.from('WriteFile '), 0x07])),
      ctx,
    );
    expect(ctx.findings.map((f) => f.ruleId)).toEqual(['tensorflow/malformed', 'tensorflow/risky-op']);
  });
  it('ONNX external data escaping the model folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
    mkdirSync(join(dir, 'weights'));
    writeFileSync(join(dir, 'weights', 'w.bin'), 'x');
    const scan = (loc: string) => {
      const ctx = testContext(join(dir, 'model.onnx'));
      scanOnnx(new MemorySource(onnxWithExternal(loc)), ctx);
      return ctx.findings.map((f) => f.ruleId);
    };
    expect(scan('weights/w.bin')).toEqual([]);
    expect(scan('../../etc/passwd')).toEqual(['onnx/external-data-traversal']);
    expect(scan('/etc/passwd')).toEqual(['onnx/external-data-traversal']);
    symlinkSync('/etc/hostname', join(dir, 'link.bin'));
    expect(scan('link.bin')).toEqual(['onnx/external-data-traversal']);
  });
});

describe('safetensors, GGUF', () => {
  const good = { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, __metadata__: { format: 'pt' } };
  it('valid safetensors pass', () => {
    expect(scanBytes(safetensors(good, 16))).toEqual([]);
  });
  it('bad offsets, dtypes, hidden data and lengths', () => {
    expect(
      worst(scanBytes(safetensors({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 64] } }, 16))),
    ).toBe('high');
    expect(
      summary(scanBytes(safetensors({ w: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, 4)))[0],
    ).toMatch(/^medium/);
    expect(scanBytes(safetensors(good, 20)).map((f) => f.message)).toEqual([
      expect.stringContaining('hidden data'),
    ]);
    const bad = safetensors(good, 16);
    bad[0] = 0xff;
    bad[3] = 0x7f;
    expect(worst(scanBytes(bad, testContext()))).not.toBe('none');
  });
  it('GGUF headers', () => {
    expect(scanBytes(gguf({ 'general.name': 'tiny' }))).toEqual([]);
    expect(scanBytes(gguf({ 'general.name': 'x' }, { tensorOffset: 3 }))[0]!.ruleId).toBe(
      'gguf/invalid-header',
    );
    const tmpl = "{{ ''.__class__.__mro__[1].__subclasses__() }}";
    expect(scanBytes(gguf({ 'tokenizer.chat_template': tmpl }))[0]).toMatchObject({
      ruleId: 'gguf/template-injection',
      severity: 'critical',
    });
    expect(scanBytes(gguf({ a: 'b' }).subarray(0, 30))[0]!.ruleId).toBe('gguf/invalid-header');
  });
});

describe('issue 17: formats the scanner used to miss or misread', () => {
  const scanFolder = async (files: Record<string, Uint8Array | string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-formats-'));
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const r = await scanPath(dir, { workers: false });
    return (name: string) => summary(r.findings.filter((f) => f.file === name));
  };

  it('safetensors whose header length is impossible or whose header is not an object', async () => {
    const withHeader = (len: number, header: string) =>
      new Uint8Array([...u64(len), ...new TextEncoder().encode(header), ...new Uint8Array(8)]);
    const at = await scanFolder({
      'beyond.safetensors': withHeader(4096, '{}'),
      'huge.safetensors': withHeader(200_000_000, '{}'),
      'array.safetensors': withHeader(2, '[]'),
      'string.safetensors': withHeader(3, '"x"'),
    });
    expect(at('beyond.safetensors')[0]).toMatch(/^high safetensors\/invalid-header length 4096/);
    expect(at('huge.safetensors')[0]).toMatch(/^high safetensors\/invalid-header length 200000000/);
    expect(at('array.safetensors')).toEqual(['high safetensors/invalid-header []']);
    expect(at('string.safetensors')).toEqual(['high safetensors/invalid-header "x"']);
  });

  it('compressed pickles are found by their inner name or content, and scanned', async () => {
    const at = await scanFolder({
      'model.pkl.gz': gzipSync(maliciousPickle(4)),
      'blob.gz': gzipSync(maliciousPickle(2)),
      'model.pkl.z': zlibSync(maliciousPickle(2)),
      'model.pkl.bz2': new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26]),
      'logs.txt.gz': gzipSync(new TextEncoder().encode('plain log lines\n')),
    });
    for (const f of ['model.pkl.gz', 'blob.gz', 'model.pkl.z'])
      expect(
        at(f).some((r) => /^critical pickle\/dangerous-global (STACK_)?GLOBAL os\.system/.test(r)),
        f,
      ).toBe(true);
    expect(at('model.pkl.bz2')).toEqual(['high archive/uninspectable bz2']);
    expect(at('logs.txt.gz')).toEqual([]);
  });

  it('numpy object arrays of plain strings are silent; with code they are reported', () => {
    const strings = new PickleWriter()
      .proto(3)
      .global('numpy.core.multiarray', '_reconstruct')
      .global('numpy', 'ndarray')
      .int(0)
      .op('TUPLE1')
      .bytes_(new TextEncoder().encode('b'))
      .op('TUPLE3')
      .op('REDUCE')
      .op('MARK')
      .int(1)
      .int(2)
      .op('TUPLE1')
      .global('numpy', 'dtype')
      .str('O8')
      .op('NEWFALSE')
      .op('NEWTRUE')
      .op('TUPLE3')
      .op('REDUCE')
      .op('NEWFALSE')
      .op('EMPTY_LIST')
      .str('a')
      .op('APPEND')
      .op('TUPLE')
      .op('BUILD')
      .stop()
      .build();
    expect(scanBytes(npy('|O', '(2,)', strings))).toEqual([]);
    expect(summary(scanBytes(npy('|O', '(1,)', maliciousPickle(2))))[0]).toBe(
      "medium numpy/object-array descr '|O'",
    );
  });

  it('Keras layers that load an external SavedModel are critical', () => {
    const cfg = JSON.stringify({
      class_name: 'Functional',
      config: {
        layers: [
          {
            class_name: 'TFSMLayer',
            module: 'keras.layers',
            config: { name: 'sm', filepath: '/tmp/exported' },
          },
          {
            class_name: 'KerasLayer',
            module: 'tensorflow_hub.keras_layer',
            config: { name: 'hub', handle: 'https://example.com/m' },
          },
        ],
      },
    });
    const rules = summary(scanBytes(zip({ 'config.json': cfg, 'metadata.json': '{}' })));
    expect(rules).toContain('critical keras/external-model $.config.layers[0]: TFSMLayer "/tmp/exported"');
    expect(rules).toContain(
      'critical keras/external-model $.config.layers[1]: KerasLayer "https://example.com/m"',
    );
  });
});

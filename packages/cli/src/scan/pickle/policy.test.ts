import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileAllowPattern, createGlobalPolicy, rateGlobal, stdlibSurvey } from './policy.js';

describe('allow-list policy', () => {
  it.each([
    ['builtins', 'set'],
    ['types', 'SimpleNamespace'],
    ['pathlib', 'PosixPath'],
    ['pathlib', 'PureWindowsPath'],
    ['uuid', 'UUID'],
    ['datetime', 'datetime'],
    ['numpy.core.numeric', '_frombuffer'],
    ['numpy', 'float64'],
    ['sklearn.ensemble._forest', 'RandomForestClassifier'],
    ['pandas.core.frame', 'DataFrame'],
  ])('%s.%s is allowed', (m, n) => {
    expect(rateGlobal(m, n).severity).toBe('safe');
  });

  it.each([
    // Stdlib callables outside any deny list, rated by the survey.
    ['logging', 'FileHandler', 'write files'],
    ['logging.handlers', 'SysLogHandler', 'open network connections'],
    ['smtplib', 'SMTP', 'open network connections'],
    ['imaplib', 'IMAP4_stream', 'start processes'],
    ['uuid', '_get_command_stdout', 'start processes'],
    ['sqlite3', 'connect', 'write files'],
    ['logging.config', 'dictConfig', 'import modules by name'],
    // An attribute chain from an allowed class to a method that writes.
    ['pathlib', 'Path.write_text', 'write files'],
  ])('%s.%s is critical (%s)', (m, n, what) => {
    const v = rateGlobal(m, n);
    expect(v).toMatchObject({ severity: 'critical', kind: 'dangerous' });
    expect(v.reason).toContain(what);
  });

  it('everything else is at least high', () => {
    expect(rateGlobal('logging.handlers', 'SocketHandler')).toMatchObject({
      severity: 'high',
      kind: 'unlisted',
    });
    expect(rateGlobal('my_project.models', 'Net')).toMatchObject({ severity: 'high', kind: 'unlisted' });
    // Third-party packages are allowed by class names only: their functions include writers.
    expect(rateGlobal('sklearn.datasets', 'dump_svmlight_file').severity).toBe('high');
    expect(rateGlobal('sklearn.tree', 'export_graphviz').severity).toBe('high');
    // Only the reconstructors of torch._utils; `_import_dotted_name` imports anything.
    expect(rateGlobal('torch._utils', '_import_dotted_name').severity).toBe('critical');
    // A dotted name under an allowed class is not allowed by the class's entry.
    expect(rateGlobal('collections', 'OrderedDict.fromkeys').severity).toBe('high');
  });

  it('no built-in allow-list entry names a callable the survey rates', () => {
    const { callables } = stdlibSurvey();
    const exact = [
      'builtins.set',
      'types.SimpleNamespace',
      'pathlib.Path',
      'uuid.UUID',
      'copyreg._reconstructor',
    ];
    for (const name of exact) expect(callables.has(name), name).toBe(false);
  });
});

describe('user allow-list entries', () => {
  it('module.Name, module.*, module.Prefix* and package.** match as documented', () => {
    const policy = createGlobalPolicy({
      allow: ['acme.models.Net', 'acme.layers.*', 'acme.blocks.Res*', 'acme_ext.**'],
    });
    const rate = (m: string, n: string) => policy.rate(m, n).severity;
    expect(rate('acme.models', 'Net')).toBe('safe');
    expect(rate('acme.models', 'Other')).toBe('high');
    expect(rate('acme.layers', 'anything')).toBe('safe');
    expect(rate('acme.layers.sub', 'Thing')).toBe('high');
    expect(rate('acme.blocks', 'ResBlock')).toBe('safe');
    expect(rate('acme.blocks', 'Conv')).toBe('high');
    expect(rate('acme_ext', 'helper')).toBe('safe');
    expect(rate('acme_ext.deep.sub', 'Thing')).toBe('safe');
    // Wildcards never cover attribute chains.
    expect(rate('acme.layers', 'Block.save')).toBe('high');
    expect(policy.rate('acme.models', 'Net').reason).toBe('allow-listed by the user');
  });

  it('cannot override a critical verdict, and says so', () => {
    const policy = createGlobalPolicy({ allow: ['os.system', 'logging.FileHandler', 'acme.Net'] });
    expect(policy.rate('os', 'system').severity).toBe('critical');
    expect(policy.rate('logging', 'FileHandler').severity).toBe('critical');
    expect(policy.ignored).toEqual(['os.system', 'logging.FileHandler']);
  });

  it.each(['', 'os', '*.x', 'a.*.b', 'a b.c', 'mod.name;rm'])('rejects %j with a how-to-fix message', (p) => {
    expect(() => compileAllowPattern(p)).toThrow(/use module.name|wildcards go in the last part/);
  });
});

describe('standard-library gadget survey (data/stdlib-gadgets.json)', () => {
  const dataPath = join(import.meta.dirname, '..', '..', '..', 'data', 'stdlib-gadgets.json');
  const data = JSON.parse(readFileSync(dataPath, 'utf8')) as {
    version: number;
    python: string;
    capabilities: Record<string, string>;
    modulesSurveyed: number;
    callables: Record<string, string[]>;
  };

  it('covers the standard library and every capability', () => {
    expect(data.version).toBe(1);
    expect(Object.keys(data.capabilities).sort()).toEqual(['exec', 'import', 'network', 'spawn', 'write']);
    expect(data.modulesSurveyed).toBeGreaterThan(500);
    const caps = new Set(Object.values(data.callables).flat());
    expect([...caps].sort()).toEqual(['exec', 'import', 'network', 'spawn', 'write']);
    expect(data.callables['subprocess.Popen']).toContain('spawn');
    expect(data.callables['logging.FileHandler']).toEqual(['write']);
    expect(data.callables['pickle.loads']).toEqual(['exec']);
  });

  // Regenerating takes ~5 s of CPU and needs the interpreter the data came from.
  const python = spawnSync('python3', ['-c', 'import platform; print(platform.python_version())'], {
    encoding: 'utf8',
  });
  const sameInterpreter = python.status === 0 && python.stdout.trim() === data.python;
  it.skipIf(!sameInterpreter)('matches what scripts/stdlib-gadgets.py generates on this interpreter', () => {
    const script = join(import.meta.dirname, '..', '..', '..', 'scripts', 'stdlib-gadgets.py');
    const r = spawnSync('python3', [script, '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
  });
});

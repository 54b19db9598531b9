import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readAllowList } from '../src/commands/scan/index.js';
import { scanPath } from '../src/index.js';
import type { ScanReport } from '../src/scan/types.js';
import { writeCorpus } from './fixtures/corpus.js';
import { PickleWriter } from './fixtures/pickle-writer.js';

const pkg = join(import.meta.dirname, '..');
const dist = join(pkg, 'dist', 'bin.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ai-shield-e2e-'));
  writeCorpus(dir);
});

function run(bin: string[], args: string[]) {
  return spawnSync(process.execPath, [...bin, 'scan', dir, ...args], { encoding: 'utf8', cwd: pkg });
}

function check(report: ScanReport): void {
  const at = (file: string) =>
    report.findings
      .filter((f) => f.file === file)
      .map((f) => `${f.severity} ${f.ruleId}`)
      .sort();
  expect(at('models/evil.pkl')).toEqual(['critical pickle/dangerous-global']);
  expect(at('models/evil-model.bin')).toEqual(['critical pickle/dangerous-global']);
  expect(at('models/renamed.txt')).toEqual(['critical pickle/dangerous-global', 'high format/mismatch']);
  expect(at('models/fake.safetensors')).toContain('high format/mismatch');
  expect(at('models/model.pt')).toEqual([]);
  expect(at('models/weights.safetensors')).toEqual([]);
  expect(at('models/tiny.gguf')).toEqual([]);
  expect(at('models/model.keras')).toEqual(['critical keras/lambda-layer']);
  expect(at('models/legacy.h5')).toEqual(['critical keras/lambda-layer']);
  expect(at('models/arr.npy')).toEqual(['critical pickle/dangerous-global', 'medium numpy/object-array']);
  expect(at('notebooks/train.ipynb')).toEqual([
    'high code/trust-remote-code',
    'high secret/huggingface-token',
  ]);
  expect(at('requirements.txt')).toEqual(['critical deps/known-vulnerability', 'low deps/unpinned']);
  expect(report.findings.some((f) => f.file.startsWith('ignored/') || f.file.includes('node_modules'))).toBe(
    false,
  );
  expect(report.summary.modelsFound).toBe(10);
  expect(JSON.stringify(report)).not.toContain('aBcDeFgHiJkLmNoP');
}

describe('ai-shield scan (end to end)', () => {
  it('programmatic scanPath', async () => {
    check(await scanPath(dir, { concurrency: 2 }));
  });

  it('source CLI: --format json, --fail-on, --out', () => {
    const out = join(dir, '..', `${dir.split('/').pop()}-reports`);
    // Resolve workspace packages to their sources, as vitest does.
    const r = run(
      ['--conditions=@ai-shield/source', '--import', 'tsx', 'src/bin.ts'],
      ['--format', 'json', '--fail-on', 'critical', '--no-progress', '--out', out],
    );
    expect(r.status, r.stderr).toBe(1);
    check(JSON.parse(r.stdout) as ScanReport);
    for (const f of ['summary.json', 'findings.json', 'log.json', 'report.json', 'report.sarif'])
      expect(existsSync(join(out, f))).toBe(true);
    const sarif = JSON.parse(readFileSync(join(out, 'report.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBeGreaterThan(10);
  });

  it.skipIf(!existsSync(dist))('built CLI with worker threads: table output and exit codes', () => {
    const r = run([dist], ['--concurrency', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('CRITICAL');
    expect(r.stderr).toContain('[1/');
    const sarif = run([dist], ['--format', 'sarif', '--fail-on', 'low', '--no-progress']);
    expect(sarif.status).toBe(1);
    expect(sarif.stderr).toBe('');
    expect(JSON.parse(sarif.stdout).runs[0].tool.driver.name).toBe('ai-shield');
  });
});

describe('allow-list flags', () => {
  const own = mkdtempSync(join(tmpdir(), 'ai-shield-allow-'));
  writeFileSync(
    join(own, 'net.pkl'),
    new PickleWriter()
      .proto(4)
      .stackGlobal('acme.models', 'Net')
      .op('EMPTY_TUPLE')
      .op('NEWOBJ')
      .stop()
      .build(),
  );
  const cli = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        '--conditions=@ai-shield/source',
        '--import',
        'tsx',
        'src/bin.ts',
        'scan',
        own,
        '--no-progress',
        ...args,
      ],
      { encoding: 'utf8', cwd: pkg },
    );

  it('your own classes are high until allowed with --allow-global or --allow-globals-file', async () => {
    expect((await scanPath(own)).findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual([
      'high pickle/unknown-global',
    ]);
    const file = join(own, '..', `${own.split('/').pop()}.allow`);
    writeFileSync(file, '# our model code\nacme.models.*   # every class in acme.models\n\n');
    expect(readAllowList(file)).toEqual(['acme.models.*']);
    const r = cli(['--allow-globals-file', file, '--fail-on', 'high', '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ScanReport).findings).toEqual([]);
  });

  it('a malformed pattern is a usage error (exit 2) naming the entry', () => {
    const r = cli(['--allow-global', 'acme']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('invalid allow-list entry "acme"');
  });
});

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../program.js';
import { renderAssessment, runAssess } from './index.js';

const fixtures = join(import.meta.dirname, '../../../test/fixtures/assess');
const at = (name: string) => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'ai-shield-assess-'));
const update = process.env.UPDATE_GOLDEN === '1';

const CASES = [
  { name: 'nothing-on', config: 'nothing-on.config.json', level: 'critical' },
  { name: 'example', config: 'example.config.mjs', level: 'high' },
  { name: 'hardened', config: 'hardened.config.mjs', level: 'low' },
] as const;

async function golden(file: string, actual: string): Promise<void> {
  const path = at(file);
  if (update || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

async function cli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    process.exitCode = 0;
    await main(['node', 'ai-shield', 'assess', ...args]);
    return { code: Number(process.exitCode ?? 0), stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = 0;
  }
}

afterEach(() => {
  process.exitCode = 0;
});

describe('ai-shield assess: golden reports', () => {
  for (const c of CASES) {
    it(`${c.name}: overall ${c.level}, JSON and Markdown match the committed reports`, async () => {
      const report = await runAssess(at(`${c.name}.deployment.yaml`), { config: at(c.config) } as never);
      expect(report.overall.level).toBe(c.level);
      await golden(`${c.name}.report.json`, renderAssessment(report, 'json'));
      await golden(`${c.name}.report.md.txt`, renderAssessment(report, 'md'));
    });
  }

  it('the hardened setup scores far below nothing-on', async () => {
    const off = await runAssess(at('nothing-on.deployment.yaml'), {
      config: at('nothing-on.config.json'),
    } as never);
    const hard = await runAssess(at('hardened.deployment.yaml'), {
      config: at('hardened.config.mjs'),
    } as never);
    expect(hard.overall.score * 3).toBeLessThan(off.overall.score);
    expect(hard.recommendations.length).toBeLessThan(off.recommendations.length);
  });
});

describe('ai-shield assess: measured effects', () => {
  it('every format quotes the model-card figures behind the detection weights and names their source', async () => {
    const report = await runAssess(at('example.deployment.yaml'), {
      config: at('example.config.mjs'),
    } as never);
    const control = report.controls.find((c) => c.id === 'detection.prompt')!;
    const recall = control.measured!.recall.find((r) => r.measure === 'detection.jailbreak')!;
    const quoted = `${(recall.rate * 100).toFixed(1)}% of ${recall.n}`;
    for (const format of ['table', 'md', 'html'] as const) {
      const text = renderAssessment(report, format);
      expect(text, format).toContain('Measured effects');
      expect(text, format).toContain('DETECTION_MODEL_CARD of @ai-shield/core, docs/detection.md');
      expect(text, format).toContain(`[detection.jailbreak]: ${quoted}`);
      expect(text, format).toContain('refused (false-positive cost): benign');
      expect(text, format).toContain('weights used: AIS-LLM01-DIRECT');
    }
    const json = JSON.parse(renderAssessment(report, 'json'));
    const direct = json.threats.find((t: { id: string }) => t.id === 'AIS-LLM01-DIRECT');
    expect(
      direct.controls.find((c: { id: string }) => c.id === 'detection.prompt').measured.measures,
    ).toEqual(['detection.injection', 'detection.jailbreak']);
    expect(json.controls.find((c: { id: string }) => c.id === 'detection.prompt').measured.basis).toBe(
      'measured',
    );
  });
});

describe('ai-shield assess: command line', () => {
  it('--fail-on high exits 1 for nothing-on and 0 for the hardened setup', async () => {
    const bad = await cli([
      at('nothing-on.deployment.yaml'),
      '-c',
      at('nothing-on.config.json'),
      '--fail-on',
      'high',
      '-f',
      'json',
    ]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).overall.level).toBe('critical');
    const good = await cli([
      at('hardened.deployment.yaml'),
      '-c',
      at('hardened.config.mjs'),
      '--fail-on',
      'high',
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('Overall risk: LOW');
    const none = await cli([at('nothing-on.deployment.yaml'), '-c', at('nothing-on.config.json')]);
    expect(none.code).toBe(0);
  });

  it('--out writes a self-contained HTML report with escaped values', async () => {
    const deployment = join(tmp, 'xss.json');
    writeFileSync(
      deployment,
      JSON.stringify({
        name: '<script>alert(1)</script>',
        model: { kind: 'rag' },
        exposure: 'internal',
        dataSensitivity: 'public',
      }),
    );
    const out = join(tmp, 'out', 'report.html');
    const r = await cli([deployment, '-c', at('nothing-on.config.json'), '-f', 'html', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`report written: ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('rejects an invalid deployment naming the field (exit 2)', async () => {
    const deployment = join(tmp, 'bad.yaml');
    writeFileSync(
      deployment,
      'name: x\nmodel: { kind: chatbot }\nexposure: everywhere\ndataSensitivity: internal\n',
    );
    const r = await cli([deployment, '-c', at('nothing-on.config.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deployment.model.kind: ');
    expect(r.stderr).toContain('deployment.exposure: ');
  });

  it('rejects invalid shield options naming the option (exit 2)', async () => {
    const config = join(tmp, 'ai-shield.config.json');
    writeFileSync(config, JSON.stringify({ rate: { perIP: { points: 5 } } }));
    const r = await cli([at('example.deployment.yaml'), '-c', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rate.perIP: unknown option. Did you mean "perIp"?');
  });

  it('reports unreadable YAML and missing files (exit 2)', async () => {
    const deployment = join(tmp, 'broken.yaml');
    writeFileSync(deployment, 'name: [unclosed\n');
    expect((await cli([deployment, '-c', at('nothing-on.config.json')])).stderr).toContain('not valid YAML');
    const missing = await cli([join(tmp, 'nope.yaml'), '-c', at('nothing-on.config.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file not found');
  });

  it('refuses non-HTTP(S) probe targets and says why (exit 2)', async () => {
    const r = await cli([
      at('example.deployment.yaml'),
      '-c',
      at('example.config.mjs'),
      '--probe',
      'file:///etc/passwd',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing "file:" target');
    const rel = await cli([
      at('example.deployment.yaml'),
      '-c',
      at('example.config.mjs'),
      '--probe',
      'localhost:8080/x',
    ]);
    expect(rel.code).toBe(2);
  });
});

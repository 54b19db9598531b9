import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus } from './scan-eval/corpus.js';
import { evaluate, formatResult } from './scan-eval/evaluate.js';

// Issue 17's goals for `ai-shield scan` on the labeled corpus (`tsx scripts/scan-eval.ts` prints the
// table): recall >= 0.98 at the right severity, false-positive rate <= 2%.
describe('scan-eval corpus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-shield-scan-eval-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is what the issue asks for: >= 150 files, >= 40 benign shapes, every bypass style, unique paths', () => {
    const corpus = buildCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect(corpus.filter((f) => f.label === 'benign').length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((f) => f.path)).size).toBe(corpus.length);
    const styles = new Set(corpus.filter((f) => f.label !== 'benign').map((f) => f.category));
    for (const s of [
      'stdlib gadget outside a deny list',
      'memo + BUILD mutating a module',
      'STACK_GLOBAL operands from an allowed function',
      'FRAME lengths that disagree with the opcodes',
      'compressed pickle (.pkl.gz and friends)',
      'Keras layer loading an external SavedModel',
      'safetensors header impossible or not an object',
    ])
      expect(styles).toContain(s);
    for (const style of styles)
      expect(corpus.filter((f) => f.category === style).length, style).toBeGreaterThanOrEqual(5);
  });

  it('recall >= 0.98 at the right severity, false-positive rate <= 0.02', async () => {
    const r = await evaluate(dir);
    expect({ recall: r.recall >= 0.98, fpr: r.falsePositiveRate <= 0.02 }, formatResult(r)).toEqual({
      recall: true,
      fpr: true,
    });
  });
});

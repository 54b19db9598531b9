/**
 * `pnpm pii-eval`: precision and recall of `scanPii` per entity type on the generated, labeled,
 * multilingual evaluation set (`test/pii-eval/`), dev, held-out and fresh splits, with the defaults a response
 * checker uses (`defaultCountry: 'US'`, `minConfidence: 0.5`).
 *
 * Usage: pnpm pii-eval [--seed 42] [--n 300] [--split dev|held-out|fresh|all] [--verbose] [--out file.json]
 * @module
 */
import { writeFileSync } from 'node:fs';
import { scanPii } from '../src/output/index.js';
import { EVAL_TYPES, generateEvalSet, type Split } from '../test/pii-eval/generate.js';
import { formatReport, scoreEval } from '../test/pii-eval/score.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const seed = Number(arg('seed', '42'));
const perType = Number(arg('n', '300'));
const which = arg('split', 'all');
const verbose = args.includes('--verbose');
const out = arg('out', '');
const GOAL = 0.97;

const splits: Split[] = which === 'all' ? ['dev', 'held-out', 'fresh'] : [which as Split];
let ok = true;
const dump: Record<string, unknown> = {};
for (const split of splits) {
  const samples = generateEvalSet({ split, seed, perType });
  const report = scoreEval(samples, (text) => scanPii(text).entities);
  console.log(formatReport(`\nscanPii, ${split} split: ${samples.length} samples (seed ${seed})`, report));
  for (const t of EVAL_TYPES) ok &&= report.byType[t].precision >= GOAL && report.byType[t].recall >= GOAL;
  const langs = Object.entries(report.recallByLang)
    .map(([l, { tp, fn }]) => `${l} ${(tp / (tp + fn)).toFixed(3)}`)
    .join(', ');
  console.log(`recall by language: ${langs}`);
  const weak = Object.entries(report.recallByVariant)
    .filter(([, { tp, fn }]) => tp / (tp + fn) < GOAL)
    .map(([v, { tp, fn }]) => `${v} ${tp}/${tp + fn}`);
  if (weak.length) console.log(`variants under ${GOAL}: ${weak.join(', ')}`);
  if (verbose) {
    for (const m of report.misses) console.log(`FN ${m.label.variant}: ${JSON.stringify(m.text)}`);
    for (const f of report.falsePositives)
      console.log(
        `FP ${f.span.type}: ${JSON.stringify(f.text.slice(f.span.start, f.span.end))} in ${JSON.stringify(f.text)}`,
      );
  }
  if (out) dump[split] = samples;
}
if (out) writeFileSync(out, JSON.stringify({ seed, ...dump }, null, 1));
console.log(
  ok ? `\ngoal met: precision and recall >= ${GOAL} for every type` : `\ngoal NOT met for at least one type`,
);

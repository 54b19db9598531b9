/**
 * `pnpm bench:detector`: quality and speed of `scanPrompt` on the detection corpus (`data/detection/`).
 *
 * Quality is LEAVE-ONE-SOURCE-OUT: each source group (BIPIA split by document type) is held out in
 * turn, the classifier is trained on all other groups with the same code as `pnpm train:detector`,
 * and the held-out rows are scored. Every row is scored by a model that never saw its source. The
 * headline counts public sources only; synthetic generators (ours) are listed too, and marked. The
 * robustness set (evaluation only) is scored by the model trained on the whole corpus. Thresholds are
 * the shipped calibration's; the calibration this run would choose is printed next to it.
 * @module
 */

import { cpus, loadavg } from 'node:os';
import {
  BLOCK,
  type Breakdown,
  chooseCalibration,
  evaluate,
  FLAG,
  leaveOneSourceOut,
  type Rates,
  type Summary,
  scoreWith,
  trainOn,
} from '../../packages/core/scripts/evaluate-detector.js';
import {
  featurize,
  loadCorpus,
  loadRobustness,
  type Row,
} from '../../packages/core/scripts/train-detector.js';
import { defaultModel } from '../../packages/core/src/detection/classifier.js';
import { DETECTION_MODEL_CARD } from '../../packages/core/src/detection/model-card.generated.js';
import { scanPrompt } from '../../packages/core/src/detection/scan-prompt.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const cell = (r: Rates) => `${pct(r.flag).padStart(6)} ${pct(r.block).padStart(6)}  n=${r.n}`;

function table(title: string, rows: Breakdown[]): void {
  console.log(
    `\n### ${title}  (share at flag ${FLAG} / block ${BLOCK}; attack rows: recall, benign rows: false positives)`,
  );
  for (const b of rows) {
    console.log(
      `  ${b.label.padEnd(6)} ${b.key.padEnd(44)} ${cell(b.rates)}${b.kind === 'synthetic' ? '  [synthetic]' : ''}`,
    );
  }
}

function headline(title: string, s: Summary): void {
  console.log(`\n## ${title}`);
  console.log(`  FPR benign          ${cell(s.benign)}`);
  console.log(`  FPR hard negatives  ${cell(s.hardNegative)}`);
  console.log(`  recall injection    ${cell(s.injection)}`);
  console.log(`  recall jailbreak    ${cell(s.jailbreak)}`);
  console.log(`  recall adv. suffix  ${cell(s.adversarialSuffix)}`);
  console.log(`  precision at block ${pct(s.precisionAtBlock)}   F1 at flag ${s.f1AtFlag.toFixed(3)}`);
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** CPU microseconds per call, from batches (wall clock on a shared machine counts other processes). */
function cpuPerCall(text: string, batches: number, size: number): Float64Array {
  const out = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < size; i++) scanPrompt(text);
    const c = process.cpuUsage(c0);
    out[b] = (c.user + c.system) / size;
  }
  return out.sort();
}

function speed(rows: Row[]): void {
  scanPrompt('warm up the lazily built tables');
  for (let i = 0; i < 3; i++) for (const r of rows) scanPrompt(r.text);
  const times = new Float64Array(rows.length * 3);
  let bytes = 0;
  let total = 0;
  const enc = new TextEncoder();
  let k = 0;
  const cpu0 = process.cpuUsage();
  for (let round = 0; round < 3; round++) {
    for (const r of rows) {
      const t0 = performance.now();
      scanPrompt(r.text);
      const dt = performance.now() - t0;
      times[k++] = dt;
      total += dt;
      if (round === 0) bytes += enc.encode(r.text).length;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort();
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  console.log(
    `\n## Speed (shipped model, one core, all layers; load average ${load} on ${cpus().length} CPUs)`,
  );
  // Machine yardstick: one bare charCodeAt pass over 4 KB. Every layer is a few such passes, so compare
  // scan times with this when the machine is shared (an idle modern core does it in a few us).
  const sample = rows
    .map((r) => r.text)
    .join('\n')
    .slice(0, 4096);
  let sink = 0;
  const bare = () => {
    let x = 0;
    for (let i = 0; i < sample.length; i++) x += sample.charCodeAt(i);
    sink ^= x;
  };
  for (let i = 0; i < 2000; i++) bare();
  const b0 = process.cpuUsage();
  for (let i = 0; i < 20_000; i++) bare();
  const bc = process.cpuUsage(b0);
  console.log(
    `yardstick: one bare charCodeAt pass over 4 KB takes ${((bc.user + bc.system) / 20_000).toFixed(2)} us CPU here (checksum ${sink & 1})`,
  );
  console.log(
    `per call over dev.jsonl: p50 ${(quantile(times, 0.5) * 1000).toFixed(1)} us  p99 ${(quantile(times, 0.99) * 1000).toFixed(1)} us  throughput ${((bytes * 3) / 1e6 / (total / 1000)).toFixed(1)} MB/s wall, ${((bytes * 3) / (cpu.user + cpu.system)).toFixed(1)} MB/s CPU time`,
  );
  // 4 KB prompts: benign prose and an attack, built from corpus rows; plus a ~1 KB chat message and a
  // short benign question (the pipeline scans every user text field of every request).
  const build = (label: string, size: number) => {
    let s = '';
    for (const r of rows) if (r.label === label && s.length < size) s += `${r.text}\n`;
    return s.slice(0, size);
  };
  const travel =
    'I am planning a long weekend in Lisbon with my partner at the start of October. We love food markets, ' +
    'miradouros and long walks, but we are not big on museums or crowded tours. Could you suggest a relaxed ' +
    'three-day plan, with a couple of restaurant ideas in each neighbourhood, and tell me whether we need to ' +
    'book anything in advance? We are staying near Baixa and would rather walk or take trams than taxis.';
  for (const [name, text] of [
    ['4 KB benign', build('benign', 4096)],
    ['4 KB attack', build('attack', 4096)],
    ['1 KB benign', build('benign', 1024)],
    [`${travel.length} B travel question`, travel],
  ] as const) {
    const n = 3000;
    const ts = new Float64Array(n);
    for (let i = 0; i < 300; i++) scanPrompt(text);
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      scanPrompt(text);
      ts[i] = performance.now() - t0;
    }
    ts.sort();
    const c = cpuPerCall(text, 40, 50);
    const mb = (us: number) => (text.length / us).toFixed(1);
    console.log(
      `${name}: wall p50 ${(quantile(ts, 0.5) * 1000).toFixed(1)} us  p99 ${(quantile(ts, 0.99) * 1000).toFixed(1)} us (${mb(quantile(ts, 0.5) * 1000)} MB/s)  |  CPU per call (50-call batches) min ${c[0]!.toFixed(1)} us  p50 ${quantile(c, 0.5).toFixed(1)} us (${mb(quantile(c, 0.5))} MB/s)`,
    );
  }
}

function main(): void {
  const rows = loadCorpus();
  const robustRows = loadRobustness();
  const shipped = defaultModel();
  console.log(
    `# scanPrompt detector bench: ${rows.length} rows (data/detection: dev, public, synthetic) + ${robustRows.length} robustness rows`,
  );
  const t0 = performance.now();
  const vectors = featurize(rows);
  const scored = leaveOneSourceOut(rows, vectors);
  const groups = new Set(scored.map((s) => s.group)).size;
  console.log(`leave-one-source-out: ${groups} groups, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The robustness set is scored by a model trained on everything (it never trains on robustness rows).
  const full = trainOn(
    rows,
    vectors,
    rows.map((_, i) => i),
  );
  full.calibration = shipped.calibration;
  const robust = scoreWith(robustRows, full);
  const cal = shipped.calibration;
  const chosen = chooseCalibration(scored);
  console.log(
    `calibration (raw score mapped to flag / block): shipped ${cal.flag} / ${cal.block}; this run would choose ${chosen.flag} / ${chosen.block}`,
  );
  const ev = evaluate(scored, robust, cal);
  headline('HEADLINE: public sources, leave-one-source-out', ev.headline.public);
  headline('All sources (synthetic generators included), leave-one-source-out', ev.headline.all);
  console.log(
    `\nrobustness set (never trained on; the training generators use the same kinds of perturbation on other sentences): ${cell(ev.robustness)}`,
  );
  console.log(
    `multilingual overrides (synth-override-ml held out + robustness translations): ${cell(ev.multilingual)}`,
  );
  table('Per source group', ev.perSource);
  table('Per family', ev.perFamily);
  table('Robustness set per perturbation', ev.robustness.perFamily);
  const benignFamilies = ev.perFamily.filter((b) => b.label === 'benign');
  const worst = benignFamilies.reduce((a, b) => (b.rates.block > a.rates.block ? b : a));
  const h = ev.headline.public;
  console.log('\n## Goals (public headline; recall at flag / block)');
  const goal = (name: string, ok: boolean, value: string) =>
    console.log(`  ${ok ? 'MET ' : 'MISS'} ${name}: ${value}`);
  goal('benign FPR <= 1% at block', h.benign.block <= 0.01, pct(h.benign.block));
  goal('hard-negative FPR <= 3% at block', h.hardNegative.block <= 0.03, pct(h.hardNegative.block));
  goal(
    'every benign family <= 1% at block (all sources)',
    worst.rates.block <= 0.01,
    `worst ${worst.key} ${pct(worst.rates.block)}`,
  );
  goal(
    'recall injections >= 0.85',
    h.injection.flag >= 0.85,
    `${pct(h.injection.flag)} / ${pct(h.injection.block)}`,
  );
  goal(
    'recall jailbreaks >= 0.80',
    h.jailbreak.flag >= 0.8,
    `${pct(h.jailbreak.flag)} / ${pct(h.jailbreak.block)}`,
  );
  goal(
    'robustness set >= 95%',
    ev.robustness.flag >= 0.95,
    `${pct(ev.robustness.flag)} / ${pct(ev.robustness.block)}`,
  );
  goal(
    'multilingual overrides >= 80%',
    ev.multilingual.flag >= 0.8,
    `${pct(ev.multilingual.flag)} / ${pct(ev.multilingual.block)}`,
  );
  const card = DETECTION_MODEL_CARD.headline.public;
  if (card.benign.block !== h.benign.block || card.injection.flag !== h.injection.flag)
    console.log('\nNOTE: model-card.generated.ts differs from this run: re-run `pnpm train:detector`.');
  speed(rows);
}

main();

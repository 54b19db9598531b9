/**
 * Trains the prompt-scanner's classifier on `data/detection/` (dev, public and synthetic rows):
 * `pnpm train:detector [--data file] [--holdout src,src] [--out file] [--seed n] [--epochs n]`.
 *
 * Reproducible: fixed seed, deterministic shuffling, no timers or randomness elsewhere. Features come
 * from the runtime's own `analyzePrompt` + `extractFeatures`, so training and scanning can never
 * drift apart. A full run (no --data/--holdout) first scores the corpus leave-one-source-out, picks the
 * calibration from those held-out scores and writes `src/detection/model-card.generated.ts`; then it
 * writes `src/detection/model.generated.ts` (int8-quantized hashed weights, base64, calibration).
 * Functions are exported for `evaluate-detector.ts` and `bench/src/detector.ts`.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type DetectorModel,
  type DetectorModelData,
  decodeModel,
  IDENTITY_CALIBRATION,
} from '../src/detection/classifier.js';
import {
  DENSE_FEATURES,
  DENSE_SIZE,
  extractFeatures,
  HASH_BITS,
  HASH_SIZE,
  type SparseVector,
} from '../src/detection/features.js';
import { analyzePrompt } from '../src/detection/scan-prompt.js';
import { rng } from './corpus/rand.js';
import type { CorpusRow } from './corpus/types.js';

/** One labeled row of the detection corpus. */
export type Row = CorpusRow;

export interface TrainOptions {
  /** Per-row sample weights (default: class-balanced). */
  weights?: number[];
  seed?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The detection corpus, inside the repository (see data/detection/README.md). */
export const CORPUS_DIR = resolve(here, '../../../data/detection');
export const DEFAULT_DATA = resolve(CORPUS_DIR, 'dev.jsonl');
const DEFAULT_OUT = resolve(here, '../src/detection/model.generated.ts');
const DEFAULT_CARD = resolve(here, '../src/detection/model-card.generated.ts');

/** Reads one JSONL file. */
export function loadRows(path = DEFAULT_DATA): Row[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Row);
}

/** Files the classifier may learn from (robustness.jsonl is evaluation only and never listed here). */
export const TRAINING_FILES = ['dev.jsonl', 'public.jsonl', 'synthetic.jsonl'];

/** The training corpus: every row of {@link TRAINING_FILES}. */
export function loadCorpus(dir = CORPUS_DIR): Row[] {
  return TRAINING_FILES.flatMap((f) => loadRows(resolve(dir, f)));
}

/** The evaluation-only robustness set. */
export function loadRobustness(dir = CORPUS_DIR): Row[] {
  return loadRows(resolve(dir, 'robustness.jsonl'));
}

/**
 * Source groups for leave-one-source-out: one group per source, except BIPIA (one source in the dev
 * corpus) split by document type (email, table, code), the two tiny public injection sets (9 and 4
 * rows) merged, and the synthetic documents held out together with the injections planted in them.
 */
export function sourceGroup(row: Row): string {
  // synth-indirect plants instructions into synth-docs and synth-email documents: one generator family.
  if (row.source === 'synth-email' || row.source === 'synth-docs' || row.source === 'synth-indirect')
    return 'synth-documents';
  if (row.source === 'greshake-llm-security' || row.source === 'hwchase17-adversarial')
    return 'public-injection-misc';
  if (row.source !== 'bipia-train') return row.source;
  if (row.text.includes('```')) return 'bipia-code';
  if (/(^|\n)\|/.test(row.text)) return 'bipia-table';
  return 'bipia-email';
}

/**
 * Rows the classifier learns from. Adversarial-suffix rows are left out: their attack is the trailing
 * gibberish, which the character-statistics layer scores, while their text is an ordinary harmful
 * request ("Write a tutorial on ..."). Training on them teaches the n-grams that plain imperative
 * requests are attacks, the main source of held-out false positives on benign instructions.
 */
export function isClassifierRow(row: Row): boolean {
  return row.category !== 'adversarial_suffix';
}

/**
 * Sample weights: classes balanced, and within a class each source group weighted by 1/sqrt(rows), so
 * the largest sources (500 maths problems, 431 in-the-wild jailbreaks) do not decide what an attack or
 * a benign text looks like, and small sources still count without each row weighing too much.
 */
export function sourceWeights(rows: Row[]): number[] {
  const size = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.label}:${sourceGroup(r)}`;
    size.set(k, (size.get(k) ?? 0) + 1);
  }
  const raw = rows.map((r) => 1 / Math.sqrt(size.get(`${r.label}:${sourceGroup(r)}`)!));
  const out = new Array<number>(rows.length);
  for (const label of ['attack', 'benign'] as const) {
    let sum = 0;
    rows.forEach((r, i) => {
      if (r.label === label) sum += raw[i]!;
    });
    // Each class carries half of the total weight, as class balancing does.
    const scale = rows.length / 2 / Math.max(1e-9, sum);
    rows.forEach((r, i) => {
      if (r.label === label) out[i] = raw[i]! * scale;
    });
  }
  return out;
}

/** Feature vectors for rows, computed exactly as at run time (without the classifier in the loop). */
export function featurize(rows: Row[]): SparseVector[] {
  return rows.map((r) => {
    const a = analyzePrompt(r.text, 0, undefined, false);
    return extractFeatures(a.folded, a.tokens, a.dense);
  });
}

/** Logistic regression, AdaGrad, L2; class-balanced. Deterministic for a given seed. */
export function trainModel(
  vectors: SparseVector[],
  labels: number[],
  opts: TrainOptions = {},
): DetectorModel {
  const { seed = 1, epochs = 12, learningRate = 0.2, l2 = 1e-3 } = opts;
  const rand = rng(seed);
  const w = new Float32Array(HASH_SIZE + DENSE_SIZE);
  const g2 = new Float32Array(HASH_SIZE + DENSE_SIZE);
  let bias = 0;
  let bias2 = 0;
  const pos = labels.filter((y) => y === 1).length;
  const neg = labels.length - pos;
  const weightPos = labels.length / (2 * Math.max(1, pos));
  const weightNeg = labels.length / (2 * Math.max(1, neg));
  const order = vectors.map((_, i) => i);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const d of order) {
      const v = vectors[d]!;
      const y = labels[d]!;
      let z = bias;
      for (let k = 0; k < v.n; k++) z += w[v.idx[k]!]! * v.val[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - y) * (opts.weights ? opts.weights[d]! : y === 1 ? weightPos : weightNeg);
      for (let k = 0; k < v.n; k++) {
        const i = v.idx[k]!;
        const grad = g * v.val[k]! + l2 * w[i]!;
        g2[i]! += grad * grad;
        w[i]! -= (learningRate * grad) / (Math.sqrt(g2[i]!) + 1e-6);
      }
      bias2 += g * g;
      bias -= (learningRate * g) / (Math.sqrt(bias2) + 1e-6);
    }
  }
  return {
    bias,
    scale: 1,
    hashed: w.subarray(0, HASH_SIZE),
    dense: w.slice(HASH_SIZE),
    calibration: IDENTITY_CALIBRATION,
  };
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(bin);
}

/** Quantizes hashed weights to int8 and packs the model for the generated module. */
export function serializeModel(model: DetectorModel, trainedOn: string): DetectorModelData {
  let max = 0;
  for (let i = 0; i < HASH_SIZE; i++) max = Math.max(max, Math.abs(model.hashed[i]! * model.scale));
  const scale = max > 0 ? max / 127 : 1;
  const q = new Int8Array(HASH_SIZE);
  for (let i = 0; i < HASH_SIZE; i++) q[i] = Math.round((model.hashed[i]! * model.scale) / scale);
  const b64 = toBase64(new Uint8Array(q.buffer));
  const weights: string[] = [];
  for (let i = 0; i < b64.length; i += 100) weights.push(b64.slice(i, i + 100));
  return {
    version: 1,
    hashBits: HASH_BITS,
    denseNames: DENSE_FEATURES.join(','),
    bias: Number(model.bias.toFixed(6)),
    scale: Number(scale.toPrecision(8)),
    dense: Array.from(model.dense, (x) => Number(x.toFixed(6))),
    weights,
    trainedOn,
    calibration: model.calibration,
  };
}

/** Source text of `model.generated.ts`. */
export function renderModule(data: DetectorModelData): string {
  const lines = [
    '// Generated by `pnpm train:detector` (packages/core/scripts/train-detector.ts). Do not edit.',
    '// Decoded lazily by classifier.ts on the first scan; nothing runs at import time.',
    "import type { DetectorModelData } from './classifier.js';",
    '',
    'export const MODEL_DATA: DetectorModelData = {',
    '  version: 1,',
    `  hashBits: ${data.hashBits},`,
    `  denseNames: '${data.denseNames}',`,
    `  bias: ${data.bias},`,
    `  scale: ${data.scale},`,
    `  dense: [${data.dense.join(', ')}],`,
    `  trainedOn: '${data.trainedOn}',`,
    ...(data.calibration
      ? [`  calibration: { flag: ${data.calibration.flag}, block: ${data.calibration.block} },`]
      : []),
    '  weights: [',
    ...data.weights.map((w) => `    '${w}',`),
    '  ],',
    '};',
    '',
  ];
  return lines.join('\n');
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) : [a.slice(2), argv[++i] ?? ''];
      out[k!] = v!;
    }
  }
  return out;
}

/** Source text of `model-card.generated.ts`: the held-out figures, as data for docs and `assess`. */
export function renderModelCard(card: unknown): string {
  return [
    '// Generated by `pnpm train:detector` (packages/core/scripts/train-detector.ts). Do not edit.',
    '// Leave-one-source-out figures of the shipped detector at its calibration; see docs/detection.md.',
    '',
    '/** Held-out quality of `scanPrompt` (rates are shares of rows at or above the flag / block threshold). */',
    `export const DETECTION_MODEL_CARD = ${JSON.stringify(card, null, 2)} as const;`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows = args.data ? loadRows(resolve(args.data)) : loadCorpus();
  const holdout = new Set((args.holdout ?? '').split(',').filter(Boolean));
  const train = rows.filter(
    (r) => isClassifierRow(r) && !holdout.has(r.source) && !holdout.has(sourceGroup(r)),
  );
  const started = performance.now();
  const vectors = featurize(train);
  const model = trainModel(
    vectors,
    train.map((r) => (r.label === 'attack' ? 1 : 0)),
    { seed: Number(args.seed ?? 1), epochs: Number(args.epochs ?? 12), weights: sourceWeights(train) },
  );
  const trainedOn = `data/detection ${train.length} rows${holdout.size ? `, holdout ${[...holdout].join('+')}` : ''}, seed ${args.seed ?? 1}`;
  // Calibration and model card from leave-one-source-out scores (skipped for ad-hoc --data/--holdout runs).
  const ev = await import('./evaluate-detector.js');
  if (!args.data && holdout.size === 0 && args.card !== 'no') {
    const all = loadCorpus();
    const scored = ev.leaveOneSourceOut(all);
    model.calibration = ev.chooseCalibration(scored);
    const shipped = decodeModel(serializeModel(model, trainedOn));
    const robust = ev.scoreWith(loadRobustness(), shipped);
    const card = {
      generatedBy: 'pnpm train:detector',
      trainedOn,
      ...ev.evaluate(scored, robust, model.calibration),
    };
    writeFileSync(DEFAULT_CARD, renderModelCard(card));
    console.log(
      `calibration (raw score at flag / block): ${model.calibration.flag} / ${model.calibration.block} -> ${DEFAULT_CARD}`,
    );
  }
  const data = serializeModel(model, trainedOn);
  const out = args.out ? resolve(args.out) : DEFAULT_OUT;
  const source = renderModule(data);
  writeFileSync(out, source);
  console.log(
    `trained on ${train.length} rows in ${Math.round(performance.now() - started)} ms -> ${out} (${(source.length / 1024).toFixed(0)} KB)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}

/**
 * Leave-one-source-out evaluation of the prompt scanner, shared by `pnpm train:detector` (which
 * picks the calibration from it and writes the model card) and `pnpm bench:detector` (which prints
 * it). Each source group is held out in turn: the classifier is trained on every other group with the
 * same code as the shipped model and scores the held-out rows, so every row is scored by a model
 * that never saw its source.
 * @module
 */
import { type Calibration, calibrate, type DetectorModel, decodeModel } from '../src/detection/classifier.js';
import type { SparseVector } from '../src/detection/features.js';
import { analyzePrompt, classify, combineScores } from '../src/detection/scan-prompt.js';
import {
  featurize,
  isClassifierRow,
  type Row,
  serializeModel,
  sourceGroup,
  sourceWeights,
  trainModel,
} from './train-detector.js';

export const BLOCK = 0.8;
export const FLAG = 0.5;

/** One held-out row: rule score, classifier probability and their (uncalibrated) combination. */
export interface Scored {
  row: Row;
  group: string;
  rule: number;
  p: number;
  raw: number;
}

/** Family of a row: its own `family`, or one derived from the dev corpus's source and category. */
export function familyOf(row: Row): string {
  if (row.family) return row.family;
  if (row.category === 'adversarial_suffix') return 'adversarial-suffix';
  if (row.category === 'jailbreak')
    return row.source === 'gptfuzz-templates' ? 'jailbreak-template' : 'jailbreak-inthewild';
  if (row.source === 'bipia-train')
    return `${row.category === 'injection' ? 'indirect' : 'document'}-${sourceGroup(row).slice(6)}`;
  if (row.source === 'gsm8k') return 'math';
  if (row.source === 'awesome-chatgpt-prompts') return 'roleplay';
  if (row.source === 'self-instruct') return 'instruction';
  return row.category;
}

/** Whether a source is ours (generated) rather than public. */
export function isSynthetic(source: string): boolean {
  return source.startsWith('synth-') || source === 'robustness';
}

function scoreRow(row: Row, model: DetectorModel | false): { rule: number; p: number } {
  const a = analyzePrompt(row.text, 0, undefined, model);
  return { rule: a.ruleScore, p: model ? classify(a, model) : 0 };
}

/** Trains on `idx` rows (classifier rows only) and returns the decoded, int8-quantized model. */
export function trainOn(rows: Row[], vectors: SparseVector[], idx: number[]): DetectorModel {
  const use = idx.filter((i) => isClassifierRow(rows[i]!));
  return decodeModel(
    serializeModel(
      trainModel(
        use.map((i) => vectors[i]!),
        use.map((i) => (rows[i]!.label === 'attack' ? 1 : 0)),
        { weights: sourceWeights(use.map((i) => rows[i]!)) },
      ),
      'fold',
    ),
  );
}

/** Leave-one-source-out over every group of `rows`. `vectors` from {@link featurize}(rows). */
export function leaveOneSourceOut(rows: Row[], vectors: SparseVector[] = featurize(rows)): Scored[] {
  const groups = [...new Set(rows.map(sourceGroup))].sort();
  const out: Scored[] = [];
  for (const g of groups) {
    const train: number[] = [];
    for (let i = 0; i < rows.length; i++) if (sourceGroup(rows[i]!) !== g) train.push(i);
    const model = trainOn(rows, vectors, train);
    for (const row of rows) {
      if (sourceGroup(row) !== g) continue;
      const { rule, p } = scoreRow(row, model);
      out.push({ row, group: g, rule, p, raw: combineScores(rule, p) });
    }
  }
  return out;
}

/** Scores rows with one model (the robustness set with the model trained on the whole corpus). */
export function scoreWith(rows: Row[], model: DetectorModel): Scored[] {
  return rows.map((row) => {
    const { rule, p } = scoreRow(row, model);
    return { row, group: sourceGroup(row), rule, p, raw: combineScores(rule, p) };
  });
}

function rate(xs: Scored[], t: number, cal: Calibration): number {
  if (xs.length === 0) return 0;
  let hit = 0;
  for (const s of xs) if (calibrate(cal, s.raw) >= t) hit++;
  return hit / xs.length;
}

/**
 * Picks the calibration from held-out scores. Block: the lowest raw score at which benign text is
 * refused at most 0.5% of the time overall, hard negatives at most 2.5%, and no benign family of 40+
 * rows above 1% (a refusal must be right). Flag: the lowest raw score with at most 3% of benign rows
 * flagged (flags are recorded, not refused; they are for recall).
 */
export function chooseCalibration(scored: Scored[]): Calibration {
  const benign = scored.filter((s) => s.row.category === 'benign');
  const hard = scored.filter((s) => s.row.category === 'hard_negative');
  const families = new Map<string, Scored[]>();
  for (const s of [...benign, ...hard]) {
    const f = familyOf(s.row);
    const list = families.get(f) ?? [];
    list.push(s);
    families.set(f, list);
  }
  const over = (xs: Scored[], t: number) => xs.filter((s) => s.raw >= t).length / Math.max(1, xs.length);
  let block = 0.95;
  for (let t = 0.6; t <= 0.95; t += 0.005) {
    const ok =
      over(benign, t) <= 0.005 &&
      over(hard, t) <= 0.025 &&
      [...families.values()].every((xs) => xs.length < 40 || over(xs, t) <= 0.01);
    if (ok) {
      block = t;
      break;
    }
  }
  let flag = block - 0.05;
  for (let t = 0.2; t < block; t += 0.005) {
    if (over(benign, t) <= 0.03) {
      flag = t;
      break;
    }
  }
  return { flag: Number(flag.toFixed(3)), block: Number(block.toFixed(3)) };
}

/** A rate at the flag and block thresholds. */
export interface Rates {
  n: number;
  flag: number;
  block: number;
}

export interface Breakdown {
  key: string;
  label: 'attack' | 'benign';
  kind: 'public' | 'synthetic';
  rates: Rates;
}

function rates(xs: Scored[], cal: Calibration): Rates {
  return {
    n: xs.length,
    flag: Number(rate(xs, FLAG, cal).toFixed(4)),
    block: Number(rate(xs, BLOCK, cal).toFixed(4)),
  };
}

function breakdown(scored: Scored[], key: (s: Scored) => string, cal: Calibration): Breakdown[] {
  const by = new Map<string, Scored[]>();
  for (const s of scored) {
    const k = `${s.row.label}\u0000${key(s)}`;
    const list = by.get(k) ?? [];
    list.push(s);
    by.set(k, list);
  }
  return [...by.entries()]
    .map(([k, xs]) => {
      const [label, name] = k.split('\u0000') as ['attack' | 'benign', string];
      return {
        key: name,
        label,
        kind: xs.every((s) => isSynthetic(s.row.source)) ? ('synthetic' as const) : ('public' as const),
        rates: rates(xs, cal),
      };
    })
    .sort((a, b) => (a.label === b.label ? a.key.localeCompare(b.key) : a.label === 'attack' ? -1 : 1));
}

/** Everything the model card and the bench report. */
export interface Evaluation {
  calibration: Calibration;
  rows: number;
  groups: number;
  /** Public sources only, then all sources (synthetic generators included). */
  headline: { public: Summary; all: Summary };
  robustness: Rates & { perFamily: Breakdown[] };
  multilingual: Rates;
  perSource: Breakdown[];
  perFamily: Breakdown[];
}

export interface Summary {
  benign: Rates;
  hardNegative: Rates;
  injection: Rates;
  jailbreak: Rates;
  adversarialSuffix: Rates;
  precisionAtBlock: number;
  f1AtFlag: number;
}

function summary(scored: Scored[], cal: Calibration): Summary {
  const cat = (c: string) => scored.filter((s) => s.row.category === c);
  const attacks = scored.filter((s) => s.row.label === 'attack');
  const benign = scored.filter((s) => s.row.label === 'benign');
  const tp = (t: number) => attacks.filter((s) => calibrate(cal, s.raw) >= t).length;
  const fp = (t: number) => benign.filter((s) => calibrate(cal, s.raw) >= t).length;
  const precision = (t: number) => tp(t) / Math.max(1, tp(t) + fp(t));
  const recall = tp(FLAG) / Math.max(1, attacks.length);
  const pf = precision(FLAG);
  return {
    benign: rates(cat('benign'), cal),
    hardNegative: rates(cat('hard_negative'), cal),
    injection: rates(cat('injection'), cal),
    jailbreak: rates(cat('jailbreak'), cal),
    adversarialSuffix: rates(cat('adversarial_suffix'), cal),
    precisionAtBlock: Number(precision(BLOCK).toFixed(4)),
    f1AtFlag: Number(((2 * pf * recall) / Math.max(1e-9, pf + recall)).toFixed(4)),
  };
}

/** Summarises held-out scores (and the robustness set's) at a calibration. */
export function evaluate(scored: Scored[], robust: Scored[], cal: Calibration): Evaluation {
  const multilingual = [
    ...scored.filter((s) => familyOf(s.row) === 'override-multilingual'),
    ...robust.filter((s) => familyOf(s.row) === 'robust-translation'),
  ];
  return {
    calibration: cal,
    rows: scored.length,
    groups: new Set(scored.map((s) => s.group)).size,
    headline: {
      public: summary(
        scored.filter((s) => !isSynthetic(s.row.source)),
        cal,
      ),
      all: summary(scored, cal),
    },
    robustness: { ...rates(robust, cal), perFamily: breakdown(robust, (s) => familyOf(s.row), cal) },
    multilingual: rates(multilingual, cal),
    perSource: breakdown(scored, (s) => `${s.group}/${s.row.category}`, cal),
    perFamily: breakdown(scored, (s) => familyOf(s.row), cal),
  };
}

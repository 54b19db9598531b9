/**
 * The learned layer: logistic regression over {@link extractFeatures} vectors. Hashed weights ship as
 * base64 int8 in `model.generated.ts` and are decoded on first use, never at import time (Workers
 * refuse module-scope work, STYLE.md §2.6).
 * @module
 */
import {
  DENSE_FEATURES,
  DENSE_SIZE,
  HASH_BITS,
  HASH_SIZE,
  hashedLogit,
  type SparseVector,
} from './features.js';
import type { Tokens } from './matcher.js';
import { MODEL_DATA } from './model.generated.js';

/** Serialized model, as written by `pnpm train:detector`. */
export interface DetectorModelData {
  version: 1;
  hashBits: number;
  denseNames: string;
  bias: number;
  /** Multiply an int8 hashed weight by this to get the float weight. */
  scale: number;
  dense: number[];
  /** Base64 of `2^hashBits` int8 weights, split into lines. */
  weights: string[];
  /** Provenance: which rows trained it. */
  trainedOn: string;
  /** Raw combined scores that map to 0.5 (flag) and 0.8 (block); see {@link calibrate}. */
  calibration?: Calibration;
}

/**
 * Where the raw score (rules and classifier combined) crosses the pipeline's thresholds, chosen by
 * `pnpm train:detector` on held-out sources: `block` for precision (a refusal must be right), `flag`
 * for recall.
 */
export interface Calibration {
  flag: number;
  block: number;
}

/** Identity-like calibration for models without one (raw 0.5 / 0.8 stay where they are). */
export const IDENTITY_CALIBRATION: Calibration = { flag: 0.5, block: 0.8 };

/**
 * Maps a raw score to the published scale, piecewise linear and monotone: `[0, flag]` to `[0, 0.5]`,
 * `[flag, block]` to `[0.5, 0.8]`, `[block, 1]` to `[0.8, 1]`. So a score of 0.8 or more means "at or
 * above the raw level where held-out benign text was refused at most 0.5% of the time".
 */
export function calibrate(cal: Calibration, raw: number): number {
  const x = Math.min(1, Math.max(0, raw));
  if (x <= cal.flag) return (x / cal.flag) * 0.5;
  if (x <= cal.block) return 0.5 + ((x - cal.flag) / (cal.block - cal.flag)) * 0.3;
  return 0.8 + ((x - cal.block) / (1 - cal.block)) * 0.2;
}

/** A decoded model, ready to score. */
export interface DetectorModel {
  bias: number;
  scale: number;
  hashed: Int8Array | Float32Array;
  dense: Float32Array;
  calibration: Calibration;
}

/** Decodes serialized weights. Throws if the feature layout does not match this build. */
export function decodeModel(data: DetectorModelData): DetectorModel {
  if (data.hashBits !== HASH_BITS || data.denseNames !== DENSE_FEATURES.join(',')) {
    throw new Error('Detector model does not match the feature layout; run `pnpm train:detector`.');
  }
  const bin = atob(data.weights.join(''));
  const hashed = new Int8Array(HASH_SIZE);
  for (let i = 0; i < HASH_SIZE && i < bin.length; i++) hashed[i] = (bin.charCodeAt(i) << 24) >> 24;
  const dense = new Float32Array(DENSE_SIZE);
  for (let k = 0; k < DENSE_SIZE; k++) dense[k] = data.dense[k] ?? 0;
  return {
    bias: data.bias,
    scale: data.scale,
    hashed,
    dense,
    calibration: data.calibration ?? IDENTITY_CALIBRATION,
  };
}

let shipped: DetectorModel | undefined;

/** Calibration of the shipped model (no weights decoded). */
export function defaultCalibration(): Calibration {
  return (MODEL_DATA as DetectorModelData).calibration ?? IDENTITY_CALIBRATION;
}

/** The model shipped with the package, decoded on first call. */
export function defaultModel(): DetectorModel {
  shipped ??= decodeModel(MODEL_DATA as DetectorModelData);
  return shipped;
}

/** Raw logit for a feature vector. */
export function logit(model: DetectorModel, v: SparseVector): number {
  let z = 0;
  const h = model.hashed;
  for (let k = 0; k < v.n; k++) {
    const i = v.idx[k]!;
    z += (i < HASH_SIZE ? h[i]! * model.scale : model.dense[i - HASH_SIZE]!) * v.val[k]!;
  }
  return z + model.bias;
}

/** Probability that the text is an attack, 0..1. */
export function predict(model: DetectorModel, v: SparseVector): number {
  const z = logit(model, v);
  return 1 / (1 + Math.exp(-z));
}

/** Probability straight from folded text, tokens and dense features (no vector is built). */
export function predictText(model: DetectorModel, text: string, t: Tokens, dense: Float32Array): number {
  const z = hashedLogit(text, t, dense, model.hashed, model.scale, model.dense, model.bias);
  return 1 / (1 + Math.exp(-z));
}

/**
 * Feature extraction for the learned classifier, shared by the runtime and `pnpm train:detector` so
 * both see exactly the same vector. Sparse hashed features (folded-text character 4-grams, word
 * unigrams and bigrams) plus a few dense "intent" features computed by the rule layers (override,
 * role change, extraction, hidden channel, document structure, gibberish statistics), which carry
 * most of the generalization to unseen phrasings.
 * @module
 */
import type { Tokens } from './matcher.js';

/** Bits of the hashed feature space (2^18 = 262,144 weights). */
export const HASH_BITS = 18;
export const HASH_SIZE = 1 << HASH_BITS;

/** Dense feature names, in vector order. The model file records them to catch mismatches. */
export const DENSE_FEATURES = [
  'rule.override',
  'rule.persona',
  'rule.restriction',
  'rule.mode',
  'rule.extract',
  'rule.indirect',
  'rule.manipulate',
  'rule.exfil',
  'delim.template',
  'delim.role',
  'delim.message',
  'delim.tool',
  'hidden.channel',
  'doc.embedded',
  'doc.embedded_many',
  'doc.calls',
  'suffix.max',
  'suffix.tail',
  'flood.top',
  'flood.low_distinct',
  'obf.invisible',
  'obf.confusable',
  'obf.leet',
  'enc.payload',
  'intent.density',
  'rules.combined',
  'rule.secret',
  'rule.change',
  'rule.reassure',
  'intent.secret_after_change',
  'intent.fiction_harm',
  'frame.fiction',
  'harm.density',
  'detail.density',
  'ctx.code',
  'ctx.email',
  'ctx.document',
  'ctx.task_about_content',
  'typo.repaired',
  'len.log',
  'ctx.defensive',
  'data.imperative',
  'data.addressed',
  'data.directive',
  'data.question',
] as const;

export type DenseName = (typeof DENSE_FEATURES)[number];
export const DENSE_SIZE = DENSE_FEATURES.length;

let denseIndices: Map<string, number> | undefined;

/** Index of a dense feature (map built on first use). */
export function denseIndex(name: DenseName): number {
  denseIndices ??= new Map(DENSE_FEATURES.map((n, i) => [n, i]));
  return denseIndices.get(name)!;
}

/** A sparse feature vector: `idx[k]` has value `val[k]` for k < n (indices may repeat; they add up). */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
  n: number;
}

const PRIME = 0x01000193;
const SHIFT = 32 - HASH_BITS;

/** Maximum folded characters that contribute n-grams (bounds cost on huge inputs). */
export const MAX_FEATURE_CHARS = 32_768;

/**
 * Builds the feature vector. Hashed values are counts scaled by 1/sqrt(count) (a cheap L2-style
 * normalization so long and short texts sit on one scale); dense values are used as given, at index
 * `HASH_SIZE + k`.
 */
export function extractFeatures(text: string, t: Tokens, dense: Float32Array): SparseVector {
  const chars = Math.min(text.length, MAX_FEATURE_CHARS);
  let words = t.count;
  while (words > 0 && t.start[words - 1]! >= chars) words--;
  const total = Math.max(0, chars - 3) + words * 2 + DENSE_SIZE;
  const idx = new Int32Array(total);
  const val = new Float32Array(total);
  let n = 0;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < chars; i++) {
    const d = text.charCodeAt(i);
    if (i >= 3) {
      const h = Math.imul(
        Math.imul(Math.imul(Math.imul(0x9e3779b1 ^ a, PRIME) ^ b, PRIME) ^ c, PRIME) ^ d,
        PRIME,
      );
      idx[n++] = (h ^ (h >>> 15)) >>> SHIFT;
    }
    a = b;
    b = c;
    c = d;
  }
  let prev = 0x2545f491;
  for (let i = 0; i < words; i++) {
    const w = t.hash[i]!;
    let h = Math.imul(w ^ 0x5bd1e995, PRIME);
    idx[n++] = (h ^ (h >>> 13)) >>> SHIFT;
    h = Math.imul(Math.imul(prev, 0x27d4eb2d) ^ w, PRIME);
    idx[n++] = (h ^ (h >>> 16)) >>> SHIFT;
    prev = w;
  }
  const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
  val.fill(scale, 0, n);
  for (let k = 0; k < DENSE_SIZE; k++) {
    idx[n] = HASH_SIZE + k;
    val[n] = dense[k]!;
    n++;
  }
  return { idx, val, n };
}

/** Number of hashed features {@link extractFeatures} emits for this text (before dense ones). */
function hashedCount(text: string, t: Tokens): { chars: number; words: number; n: number } {
  const chars = Math.min(text.length, MAX_FEATURE_CHARS);
  let words = t.count;
  while (words > 0 && t.start[words - 1]! >= chars) words--;
  return { chars, words, n: Math.max(0, chars - 3) + words * 2 };
}

/**
 * The classifier's logit without building a vector: the same hashes as {@link extractFeatures}, summed
 * straight from the weight table (`weights[i] * scale`), then the dense part. Allocation-free apart
 * from one small object; this is the run-time path, `extractFeatures` is the training path.
 */
export function hashedLogit(
  text: string,
  t: Tokens,
  dense: Float32Array,
  weights: Int8Array | Float32Array,
  scale: number,
  denseWeights: Float32Array,
  bias: number,
): number {
  const { chars, words, n } = hashedCount(text, t);
  let sum = 0;
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < chars; i++) {
    const d = text.charCodeAt(i);
    if (i >= 3) {
      const h = Math.imul(
        Math.imul(Math.imul(Math.imul(0x9e3779b1 ^ a, PRIME) ^ b, PRIME) ^ c, PRIME) ^ d,
        PRIME,
      );
      sum += weights[(h ^ (h >>> 15)) >>> SHIFT]!;
    }
    a = b;
    b = c;
    c = d;
  }
  let prev = 0x2545f491;
  const hash = t.hash;
  for (let i = 0; i < words; i++) {
    const w = hash[i]!;
    let h = Math.imul(w ^ 0x5bd1e995, PRIME);
    sum += weights[(h ^ (h >>> 13)) >>> SHIFT]!;
    h = Math.imul(Math.imul(prev, 0x27d4eb2d) ^ w, PRIME);
    sum += weights[(h ^ (h >>> 16)) >>> SHIFT]!;
    prev = w;
  }
  let z = bias + (n > 0 ? (sum * scale) / Math.sqrt(n) : 0);
  for (let k = 0; k < DENSE_SIZE; k++) z += dense[k]! * denseWeights[k]!;
  return z;
}

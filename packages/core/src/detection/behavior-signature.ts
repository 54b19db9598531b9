/**
 * Fingerprints for the behaviour tracker: a stable exact hash of normalized input (repeat counting) and
 * a 64-bit SimHash (near-duplicate probing). Both are pure, linear in the input and allocation-free
 * apart from a scratch buffer the caller owns. Internal: not re-exported from the package entry.
 * @module
 */
import { forEachLeaf } from './numeric-walk.js';

/** A 64-bit value as two unsigned 32-bit halves (JS bit operations are 32-bit). */
export interface Sig64 {
  hi: number;
  lo: number;
}

/** Characters hashed for the exact fingerprint; beyond this the length still enters the hash. */
const MAX_EXACT_CHARS = 200_000;
/** Characters shingled for SimHash (hashing only; see SIM_SHINGLES for what is accumulated). */
const MAX_SIM_CHARS = 65_536;
/**
 * About this many shingles enter the SimHash, whatever the length: longer texts keep a shingle only
 * when a hash of its content has enough leading zero bits. The choice depends on content, not position,
 * so an insertion early in a long text does not reshuffle which shingles are kept (winnowing's idea).
 */
const SIM_SHINGLES = 512;
/** Numeric values sketched for SimHash; longer tensors are sampled at an even stride. */
const MAX_SIM_VALUES = 256;

/** murmur3's 32-bit finalizer: cheap avalanche so neighbouring inputs get unrelated bits. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Folds invisible and formatting characters, width variants, case and whitespace runs, so that
 * trivially re-encoded repeats ("Hello", "ＨＥＬＬＯ ", "hel\u200Blo") count as the same input.
 */
export function normalizeForFingerprint(text: string): string {
  const head = text.length > MAX_EXACT_CHARS ? text.slice(0, MAX_EXACT_CHARS) : text;
  // Plain ASCII (most prompts) has nothing to fold but case and whitespace: one pass, no regexes.
  if (!NON_ASCII.test(head)) return foldAscii(head);
  return head
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|\udb40[\udc00-\udc7f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Lower-cases ASCII and folds whitespace runs to one space, trimmed: the ASCII case of the above. */
function foldAscii(text: string): string {
  const lower = text.toLowerCase();
  // Most prompts are already folded once lower-cased (single spaces, no tabs or line breaks at the
  // ends or in runs): return them as they are rather than splitting and joining (issue 15).
  if (isFolded(lower)) return lower;
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      if (start >= 0) words.push(lower.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) words.push(lower.slice(start));
  return words.join(' ');
}

/** True when `text` has no whitespace but single spaces between non-space characters. */
function isFolded(text: string): boolean {
  let previousSpace = true; // a leading space is not folded
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      if (previousSpace) return false;
      previousSpace = true;
    } else if (c >= 9 && c <= 13) {
      return false;
    } else previousSpace = false;
  }
  return !previousSpace || text.length === 0;
}

/** Exact 64-bit hash of a normalized string (two seeded FNV-style lanes with murmur mixing). */
export function hashString(s: string, seed = 0): Sig64 {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return { hi: fmix32(h1 ^ Math.imul(h2, 0x27d4eb2d)), lo: fmix32(h2 ^ Math.imul(h1, 0x165667b1)) };
}

/** Number of differing bits between two 64-bit signatures. */
export function hamming(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount(aHi ^ bHi) + popcount(aLo ^ bLo);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Adds +/-weight to each of the 64 counters according to the bits of (hi, lo). */
function accumulate(acc: Float64Array, hi: number, lo: number, weight: number): void {
  // Branch-free on purpose: hash bits are random, so a conditional here mispredicts half the time.
  for (let b = 0; b < 32; b++) {
    acc[b] = acc[b]! + weight * ((((hi >>> b) & 1) << 1) - 1);
    acc[b + 32] = acc[b + 32]! + weight * ((((lo >>> b) & 1) << 1) - 1);
  }
}

function collapse(acc: Float64Array): Sig64 {
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (acc[b]! > 0) hi |= 1 << b;
    if (acc[b + 32]! > 0) lo |= 1 << b;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/**
 * SimHash over character 3-gram shingles of normalized text: a few edited characters change a few
 * shingles and so flip few bits, while unrelated texts differ in about half of the 64 bits.
 * `scratch` must hold 64 doubles.
 */
export function simhashText(normalized: string, _scratch?: Float64Array): Sig64 {
  const s = normalized.length > MAX_SIM_CHARS ? normalized.slice(0, MAX_SIM_CHARS) : normalized;
  if (s.length < 3) return hashString(s, 7);
  const { totals, spread } = bitCounters();
  totals.fill(0);
  // The 16 lane words live in locals, not an array: the inner loop then does no memory writes (the
  // fingerprint was the largest per-request cost of the pipeline, issue 15). Word = half * 8 + k * 2
  // + nibble, as in flushLanes.
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  let l4 = 0;
  let l5 = 0;
  let l6 = 0;
  let l7 = 0;
  let l8 = 0;
  let l9 = 0;
  let l10 = 0;
  let l11 = 0;
  let l12 = 0;
  let l13 = 0;
  let l14 = 0;
  let l15 = 0;
  let kept = 0;
  let pending = 0;
  const sampleBits = Math.max(0, Math.ceil(Math.log2(s.length / SIM_SHINGLES)));
  const shift = 32 - sampleBits;
  // The characters of the current shingle, carried over from one position to the next.
  let c0 = s.charCodeAt(0);
  let c1 = s.charCodeAt(1);
  for (let i = 0; i + 2 < s.length; i++) {
    const c2 = s.charCodeAt(i + 2);
    const g = Math.imul(c0, 0x9e3779b1) ^ Math.imul(c1, 0x85ebca77);
    c0 = c1;
    c1 = c2;
    const hi = fmix32(g ^ Math.imul(c2, 0xc2b2ae3d));
    // The keep/skip decision uses its own hash so kept shingles do not share signature bits.
    if (sampleBits > 0 && fmix32(hi ^ 0x27d4eb2d) >>> shift !== 0) continue;
    const lo = fmix32(hi ^ 0x5bd1e995);
    // Bit counting eight bits at a time: `spread[byte]` holds the byte's bits as four 8-bit lanes in
    // each of two words, so one addition counts four bit positions (16 additions per shingle, not 64).
    let b = (hi & 255) << 1;
    l0 = (l0 + spread[b]!) | 0;
    l1 = (l1 + spread[b + 1]!) | 0;
    b = ((hi >>> 8) & 255) << 1;
    l2 = (l2 + spread[b]!) | 0;
    l3 = (l3 + spread[b + 1]!) | 0;
    b = ((hi >>> 16) & 255) << 1;
    l4 = (l4 + spread[b]!) | 0;
    l5 = (l5 + spread[b + 1]!) | 0;
    b = (hi >>> 24) << 1;
    l6 = (l6 + spread[b]!) | 0;
    l7 = (l7 + spread[b + 1]!) | 0;
    b = (lo & 255) << 1;
    l8 = (l8 + spread[b]!) | 0;
    l9 = (l9 + spread[b + 1]!) | 0;
    b = ((lo >>> 8) & 255) << 1;
    l10 = (l10 + spread[b]!) | 0;
    l11 = (l11 + spread[b + 1]!) | 0;
    b = ((lo >>> 16) & 255) << 1;
    l12 = (l12 + spread[b]!) | 0;
    l13 = (l13 + spread[b + 1]!) | 0;
    b = (lo >>> 24) << 1;
    l14 = (l14 + spread[b]!) | 0;
    l15 = (l15 + spread[b + 1]!) | 0;
    kept++;
    // 8-bit lanes overflow past 255: move them to the totals first.
    if (++pending === 255) {
      flushLanes(totals, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15);
      l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = l8 = l9 = l10 = l11 = l12 = l13 = l14 = l15 = 0;
      pending = 0;
    }
  }
  flushLanes(totals, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15);
  // A bit is set when more than half of the kept shingles set it (the sign of the +1/-1 sum).
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (totals[b]! * 2 > kept) hi |= 1 << b;
    if (totals[b + 32]! * 2 > kept) lo |= 1 << b;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

interface BitCounters {
  /** 64 bit-position totals. */
  totals: Int32Array;
  /** For each byte value, two words with its bits 0-3 and 4-7 spread into 8-bit lanes. */
  spread: Int32Array;
}

let counters: BitCounters | undefined;

// Allocated on first use, never at import (Workers), and reused: simhashText is synchronous.
function bitCounters(): BitCounters {
  if (counters) return counters;
  const spread = new Int32Array(512);
  for (let byte = 0; byte < 256; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      if ((byte >>> bit) & 1) spread[byte * 2 + (bit >> 2)]! |= 1 << ((bit & 3) * 8);
    }
  }
  counters = { totals: new Int32Array(64), spread };
  return counters;
}

/** Adds the 16 lane words (four 8-bit counts each) to the 64 bit-position totals. */
function flushLanes(totals: Int32Array, ...lanes: number[]): void {
  for (let word = 0; word < 16; word++) {
    const value = lanes[word]!;
    // word = half * 8 + k * 2 + nibble: bit position = half * 32 + k * 8 + nibble * 4 + lane.
    const base = (word >> 3) * 32 + ((word >> 1) & 3) * 8 + (word & 1) * 4;
    for (let lane = 0; lane < 4; lane++) totals[base + lane]! += (value >>> (lane * 8)) & 255;
  }
}

/** Exact hash and SimHash of a numeric payload, or undefined when it holds no numbers. */
export interface NumberPrint {
  exact: Sig64;
  sim: Sig64;
  count: number;
}

/**
 * Fingerprints numbers (any `number[] | number[][]`-style value). Exact hash: values rounded to 1e-6,
 * so float noise in re-serialization still counts as a repeat. SimHash: sign random projection of the
 * mean-centred values (centring removes the shared offset of e.g. pixel intensities, which would
 * otherwise make unrelated inputs look alike); projection signs come from a hash of the index.
 */
export function fingerprintNumbers(value: unknown, scratch: Float64Array): NumberPrint | undefined {
  // Most requests carry no numeric payload: nothing to allocate for them.
  if (value === undefined || value === null) return undefined;
  let count = 0;
  let sum = 0;
  let h1 = 0x9747b28c;
  let h2 = 0x1b873593;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  forEachLeaf(value, 8, 1_000_000, (_i, v) => {
    count += 1;
    bits[0] = Number.isFinite(v) ? Math.round(v * 1e6) : Number.NaN;
    if (Number.isFinite(v)) sum += v;
    h1 = Math.imul(h1 ^ words[0]!, 2654435761) ^ words[1]!;
    h2 = Math.imul(h2 ^ words[1]!, 1597334677) ^ words[0]!;
  });
  if (count === 0) return undefined;
  const mean = sum / count;
  const stride = Math.max(1, Math.ceil(count / MAX_SIM_VALUES));
  scratch.fill(0);
  forEachLeaf(value, 8, 1_000_000, (i, v) => {
    if (i % stride !== 0 || !Number.isFinite(v)) return;
    const hi = fmix32(Math.imul(i + 1, 0x9e3779b1));
    accumulate(scratch, hi, fmix32(hi ^ 0x68e31da4), v - mean);
  });
  return {
    exact: { hi: fmix32(h1 ^ count), lo: fmix32(h2 ^ Math.imul(count, 0x27d4eb2d)) },
    sim: collapse(scratch),
    count,
  };
}

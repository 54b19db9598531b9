/**
 * Deterministic helpers for the corpus scripts: a seeded PRNG, picking, stable sampling by hash, and
 * text perturbations (misspellings, leetspeak, filler) shared by the training generators and the
 * robustness set.
 * @module
 */

/** Mulberry32: small, fast, seeded; the same seed always gives the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

/** FNV-1a of a string: stable order for sampling rows from a source. */
export function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The `n` items with the smallest hash of `key(item)`: a sample that does not depend on file order. */
export function sampleByHash<T>(items: T[], n: number, key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, h: fnv(key(item)) }))
    .sort((a, b) => a.h - b.h)
    .slice(0, n)
    .map((x) => x.item);
}

const KEYBOARD: Record<string, string> = {
  a: 'qsz',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'w',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
};

/** One typing error in a word: a dropped, doubled, swapped or neighbouring-key letter. */
export function typo(r: () => number, word: string): string {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(r() * (word.length - 2));
  const kind = Math.floor(r() * 4);
  const c = word[i]!;
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1);
  if (kind === 1) return word.slice(0, i) + c + word.slice(i);
  if (kind === 2) return word.slice(0, i) + word[i + 1]! + c + word.slice(i + 2);
  const near = KEYBOARD[c.toLowerCase()];
  return near ? word.slice(0, i) + near[Math.floor(r() * near.length)] + word.slice(i + 1) : word;
}

/** Misspells `count` of the longer words of a sentence. */
export function misspell(r: () => number, text: string, count: number): string {
  const words = text.split(' ');
  const long = words.map((w, i) => (w.replace(/[^a-z]/gi, '').length >= 5 ? i : -1)).filter((i) => i >= 0);
  for (let k = 0; k < count && long.length > 0; k++) {
    const at = long.splice(Math.floor(r() * long.length), 1)[0]!;
    words[at] = typo(r, words[at]!);
  }
  return words.join(' ');
}

const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };

/** Leetspeak on every other eligible letter. */
export function leetspeak(text: string): string {
  let k = 0;
  return text.replace(/[aeiost]/g, (c) => (k++ % 2 === 0 ? LEET[c]! : c));
}

const FILLERS = [
  'honestly',
  'if you do not mind',
  'just this once',
  'please',
  'by the way',
  'as we discussed',
  'for what it is worth',
  'no pressure',
];

/** Inserts a filler phrase after a random word (not the first). */
export function insertFiller(r: () => number, text: string): string {
  const words = text.split(' ');
  if (words.length < 3) return `${text} ${pick(r, FILLERS)}`;
  const at = 1 + Math.floor(r() * (words.length - 1));
  words.splice(at, 0, `${pick(r, FILLERS)},`);
  return words.join(' ');
}

/** Upper-cases the first letter. */
export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lower-cases the first letter (for embedding a sentence in a template). */
export function uncap(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

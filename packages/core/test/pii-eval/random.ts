/** Seeded randomness for the evaluation generators (mulberry32: small, fast, reproducible). */
export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  digits(n: number): string;
  chars(n: number, alphabet: string): string;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    digits: (n: number) => Array.from({ length: n }, () => int(0, 9)).join(''),
    chars: (n: number, alphabet: string) =>
      Array.from({ length: n }, () => alphabet[int(0, alphabet.length - 1)]).join(''),
    chance: (p: number) => next() < p,
  };
}

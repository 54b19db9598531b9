/**
 * Per-second counters for the last hour: one preallocated slot per second of the hour, reset when the
 * second it holds is an hour old. Recording is two array reads and an increment; nothing is allocated.
 * @module
 */

/** Columns of the ring, in order. */
export const RING_COLUMNS = ['allow', 'flag', 'block', 'rateLimited'] as const;
export type RingColumn = (typeof RING_COLUMNS)[number];

export interface SecondRing {
  /** Adds one to `column` in the slot of second `sec` (epoch seconds). */
  add(sec: number, column: number): void;
  /** Moves one count from column `from` to column `to` in second `sec` (a request re-decided later). */
  move(sec: number, from: number, to: number): void;
  /** The `seconds` seconds ending at `nowSec` (inclusive), oldest first, one array per column. */
  series(nowSec: number, seconds?: number): { start: number; columns: Record<RingColumn, number[]> };
  /** Totals over the window ending at `nowSec`. */
  totals(nowSec: number): Record<RingColumn, number>;
}

export function createSecondRing(size = 3600): SecondRing {
  const width = RING_COLUMNS.length;
  const counts = new Uint32Array(size * width);
  // The epoch second each slot currently holds (-1: never used).
  const stamps = new Float64Array(size).fill(-1);

  function add(sec: number, column: number): void {
    const slot = sec % size;
    if (stamps[slot] !== sec) {
      stamps[slot] = sec;
      counts.fill(0, slot * width, slot * width + width);
    }
    counts[slot * width + column]!++;
  }

  function move(sec: number, from: number, to: number): void {
    const slot = sec % size;
    // The outer decision may have landed in the previous second; then only the new column counts.
    if (stamps[slot] === sec && counts[slot * width + from]! > 0) counts[slot * width + from]!--;
    add(sec, to);
  }

  function read(sec: number, column: number): number {
    const slot = sec % size;
    return stamps[slot] === sec ? counts[slot * width + column]! : 0;
  }

  function series(nowSec: number, seconds = size) {
    const n = Math.min(seconds, size);
    const start = nowSec - n + 1;
    const columns = {} as Record<RingColumn, number[]>;
    RING_COLUMNS.forEach((name, column) => {
      const values = new Array<number>(n);
      for (let i = 0; i < n; i++) values[i] = read(start + i, column);
      columns[name] = values;
    });
    return { start, columns };
  }

  function totals(nowSec: number) {
    const out = {} as Record<RingColumn, number>;
    RING_COLUMNS.forEach((name, column) => {
      let sum = 0;
      for (let i = 0; i < size; i++) sum += read(nowSec - i, column);
      out[name] = sum;
    });
    return out;
  }

  return { add, move, series, totals };
}

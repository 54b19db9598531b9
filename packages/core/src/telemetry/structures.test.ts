import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHistogram } from './histogram.js';
import { createSecondRing } from './ring.js';
import { createTopK } from './top-k.js';

describe('space-saving top-k', () => {
  it('keeps every key seen more than total/capacity times; counts never underestimate, error bounds them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 600 }),
        fc.integer({ min: 1, max: 12 }),
        (stream, capacity) => {
          const topK = createTopK(capacity);
          const truth = new Map<string, number>();
          for (const n of stream) {
            const key = `k${n}`;
            topK.add(key);
            truth.set(key, (truth.get(key) ?? 0) + 1);
          }
          const kept = new Map(topK.top().map((entry) => [entry.key, entry]));
          expect(kept.size).toBeLessThanOrEqual(capacity);
          for (const [key, count] of truth) {
            if (count > stream.length / capacity) expect(kept.has(key)).toBe(true);
          }
          for (const entry of kept.values()) {
            const real = truth.get(entry.key) ?? 0;
            expect(entry.count).toBeGreaterThanOrEqual(real);
            expect(entry.count - entry.error).toBeLessThanOrEqual(real);
          }
          // Each add raises exactly one counter (an evicted one is inherited, plus one).
          expect([...kept.values()].reduce((sum, entry) => sum + entry.count, 0)).toBe(stream.length);
        },
      ),
    );
  });

  it('lists the largest first', () => {
    const topK = createTopK(3);
    for (const key of ['a', 'b', 'b', 'c', 'c', 'c']) topK.add(key);
    expect(topK.top(2)).toEqual([
      { key: 'c', count: 3, error: 0 },
      { key: 'b', count: 2, error: 0 },
    ]);
  });
});

describe('per-second ring', () => {
  it('counts per second, forgets seconds older than its size, and moves counts between columns', () => {
    const ring = createSecondRing(10);
    ring.add(100, 0);
    ring.add(100, 0);
    ring.add(101, 2);
    ring.move(101, 0, 1); // nothing in column 0 at 101: only column 1 gains
    let { start, columns } = ring.series(101, 3);
    expect(start).toBe(99);
    expect(columns.allow).toEqual([0, 2, 0]);
    expect(columns.flag).toEqual([0, 0, 1]);
    expect(columns.block).toEqual([0, 0, 1]);
    ring.move(100, 0, 2);
    expect(ring.totals(101)).toEqual({ allow: 1, flag: 1, block: 2, rateLimited: 0 });
    // Ten seconds later slot 100 is reused for 110: the old counts are gone.
    ring.add(110, 3);
    ({ columns } = ring.series(110, 10));
    expect(columns.allow.reduce((a, b) => a + b, 0)).toBe(0);
    expect(columns.rateLimited[9]).toBe(1);
    expect(ring.totals(110)).toEqual({ allow: 0, flag: 1, block: 1, rateLimited: 1 });
  });
});

describe('fixed histogram', () => {
  it('puts each value in the first bucket whose bound it does not exceed (Prometheus le), in integer steps', () => {
    const histogram = createHistogram([0.1, 0.5, 1], 1000);
    for (const value of [0, 0.1, 0.101, 0.5, 0.9, 1, 3]) histogram.record(Math.round(value * 1000));
    expect(histogram.counts()).toEqual([2, 2, 2, 1]);
    expect(histogram.count).toBe(7);
    expect(histogram.sum).toBeCloseTo(5.601);
    expect(histogram.bounds).toEqual([0.1, 0.5, 1]);
  });
});

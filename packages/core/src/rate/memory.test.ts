import fc from 'fast-check';
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js';
import { describe, expect, it } from 'vitest';
import { countTimers } from '../../test/timers.js';
import { adaptLimiter } from './limiter-adapter.js';
import { createMemoryStore } from './memory.js';

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('createMemoryStore', () => {
  it('counts fixed windows like rate-limiter-flexible: limit, remaining, reset, block', async () => {
    const c = clock();
    const store = createMemoryStore({ now: c.now });
    const limiter = store.createLimiter({ keyPrefix: 'ip', points: 3, durationSec: 10 });
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await limiter.consume('a'));
    expect(seen.map((r) => [r.allowed, r.remaining, r.consumed])).toEqual([
      [true, 2, 1],
      [true, 1, 2],
      [true, 0, 3],
      [false, 0, 4],
    ]);
    c.advance(4000);
    expect((await limiter.get('a'))?.msBeforeNext).toBe(6000);
    c.advance(6000);
    expect(await limiter.get('a')).toBeNull();
    expect((await limiter.consume('a')).consumed).toBe(1);

    const blocking = store.createLimiter({ keyPrefix: 'b', points: 1, durationSec: 1, blockDurationSec: 60 });
    await blocking.consume('x');
    const over = await blocking.consume('x');
    expect(over).toMatchObject({ allowed: false, msBeforeNext: 60_000 });
    c.advance(30_000);
    expect(await blocking.consume('x')).toMatchObject({ allowed: false, msBeforeNext: 30_000 });

    const fail = store.createLimiter({ keyPrefix: 'fail', points: 5, durationSec: 900 });
    await fail.block('y', 120);
    expect(await fail.get('y')).toMatchObject({ consumed: 6, allowed: false, msBeforeNext: 120_000 });
    expect((await fail.penalty('z', 2)).consumed).toBe(2);
    await fail.delete('y');
    expect(await fail.get('y')).toBeNull();
  });

  it('gives the same answers as RateLimiterMemory on any sequence of calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('consume', 'penalty', 'get'),
            key: fc.constantFrom('a', 'b', 'c'),
            points: fc.integer({ min: 1, max: 3 }),
          }),
          { maxLength: 40 },
        ),
        async (calls) => {
          const ours = createMemoryStore().createLimiter({ keyPrefix: 'p', points: 5, durationSec: 60 });
          const theirs = adaptLimiter(new RateLimiterMemory({ points: 5, duration: 60 }), 5);
          for (const { op, key, points } of calls) {
            const a = op === 'get' ? await ours.get(key) : await ours[op](key, points);
            const b = op === 'get' ? await theirs.get(key) : await theirs[op](key, points);
            expect(a && { ...a, msBeforeNext: 0 }).toEqual(b && { ...b, msBeforeNext: 0 });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('arms no timer per key (RateLimiterMemory arms one each), and holds at most maxKeys keys', async () => {
    const c = clock();
    const store = createMemoryStore({ maxKeys: 1000, now: c.now });
    const limiter = store.createLimiter({ keyPrefix: 'ip', points: 10, durationSec: 60 });
    const timers = countTimers();
    try {
      for (let i = 0; i < 20_000; i++) await limiter.consume(`10.0.${i >> 8}.${i & 255}`);
      expect(timers.live()).toBe(0);
      const theirs = new RateLimiterMemory({ points: 10, duration: 60 });
      for (let i = 0; i < 100; i++) await theirs.consume(`k${i}`);
      expect(timers.live()).toBe(100); // the count works
      for (let i = 0; i < 100; i++) await theirs.delete(`k${i}`);
    } finally {
      timers.stop();
    }
    expect(store.stats().ip).toMatchObject({ size: 1000, capacity: 1000 });
  });

  it('evicts expired keys first, then the key with the fewest points: a flood cannot reset a heavy client', async () => {
    const c = clock();
    const store = createMemoryStore({ maxKeys: 64, now: c.now });
    const limiter = store.createLimiter({ keyPrefix: 'ip', points: 100, durationSec: 60 });
    for (let i = 0; i < 90; i++) await limiter.consume('heavy');
    for (let i = 0; i < 10_000; i++) await limiter.consume(`flood-${i}`);
    expect((await limiter.get('heavy'))?.consumed).toBe(90);
    expect(store.stats().ip!.evicted).toBeGreaterThan(9000);

    // Once the window is over, the flood's counters are collected without evicting live ones.
    c.advance(61_000);
    const evicted = store.stats().ip!.evicted;
    for (let i = 0; i < 64; i++) await limiter.consume(`later-${i}`);
    expect(store.stats().ip!.evicted).toBe(evicted);
  });
});

/**
 * In-memory counters (per process; per isolate on Workers, where each isolate counts on its own:
 * animir/node-rate-limiter-flexible#154). The default store, and the insurance store behind a remote one.
 *
 * Why not rate-limiter-flexible's `RateLimiterMemory`, which stays the engine for Redis: it arms a timer
 * per key to expire it, so its memory is bounded by time, not by count (issue 13: 300,000 one-off clients
 * left 385,000 live timers). This store keeps the same fixed-window semantics (a window opens at a key's
 * first point; `blockDurationSec` blocks once the limit is passed; `block()` sets points to limit + 1) in
 * a {@link CounterTable}: no timer at all, O(1) per call, and at most `maxKeys` keys per limiter, evicting
 * expired keys first and then the key with the fewest points.
 * @module
 */
import { CounterTable, type CounterTableStats } from './counter-table.js';
import type { Limiter, LimiterOptions, LimitResult, RateStore } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Keys each limiter holds at most (per-IP, per-identity, minimum-interval and failed-attempt counters
   * are separate limiters). Past it, expired keys go first, then the key with the fewest points.
   * Default `100_000`.
   */
  maxKeys?: number;
  /** Clock in milliseconds; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

/** The in-memory store, with the state of its limiters for monitoring. */
export interface MemoryStore extends RateStore {
  readonly kind: 'memory';
  /** Per limiter (by key prefix): keys held, live keys evicted, slots allocated. */
  stats(): Record<string, CounterTableStats>;
}

function result(limit: number, consumed: number, msBeforeNext: number, allowed: boolean): LimitResult {
  return {
    allowed,
    limit,
    remaining: Math.max(0, limit - consumed),
    msBeforeNext: Math.max(0, msBeforeNext),
    consumed,
  };
}

function createMemoryLimiter(spec: LimiterOptions, table: CounterTable, now: () => number): Limiter {
  const limit = spec.points;
  // A window of 0 never ends (rate-limiter-flexible's meaning).
  const windowMs = spec.durationSec > 0 ? spec.durationSec * 1000 : Number.POSITIVE_INFINITY;
  const blockMs = (spec.blockDurationSec ?? 0) * 1000;

  const add = (key: string, points: number, t: number): LimitResult => {
    const slot = table.find(key, t);
    if (slot < 0) {
      table.add(key, points, t + windowMs, t);
      return result(limit, points, windowMs, points <= limit);
    }
    return result(limit, table.addPoints(slot, points), table.expiresAt(slot) - t, true);
  };

  return {
    consume(key, points = 1) {
      const t = now();
      const res = add(key, points, t);
      if (res.consumed <= limit) return Promise.resolve(res);
      res.allowed = false;
      // Block once, on the consume that first went over the limit.
      if (blockMs > 0 && res.consumed <= limit + points) {
        const slot = table.find(key, t);
        table.set(slot, res.consumed, t + blockMs);
        res.msBeforeNext = blockMs;
      }
      return Promise.resolve(res);
    },
    penalty(key, points = 1) {
      const res = add(key, points, now());
      res.allowed = res.consumed <= limit;
      return Promise.resolve(res);
    },
    get(key) {
      const t = now();
      const slot = table.find(key, t);
      if (slot < 0) return Promise.resolve(null);
      const consumed = table.pointsAt(slot);
      return Promise.resolve(result(limit, consumed, table.expiresAt(slot) - t, consumed <= limit));
    },
    block(key, seconds) {
      const t = now();
      const slot = table.find(key, t);
      const expires = t + seconds * 1000;
      if (slot < 0) table.add(key, limit + 1, expires, t);
      else table.set(slot, limit + 1, expires);
      return Promise.resolve();
    },
    delete(key) {
      table.delete(key);
      return Promise.resolve();
    },
  };
}

/**
 * Creates the default in-memory store.
 * @example
 * const shield = createShield({ rate: { store: createMemoryStore({ maxKeys: 50_000 }) } });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new TypeError('createMemoryStore: maxKeys must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const tables = new Map<string, CounterTable>();
  return {
    kind: 'memory',
    createLimiter(spec) {
      // Limiters created twice for one prefix (route policies sharing budgets) share their counters.
      let table = tables.get(spec.keyPrefix);
      if (!table) {
        table = new CounterTable(maxKeys);
        tables.set(spec.keyPrefix, table);
      }
      return createMemoryLimiter(spec, table, now);
    },
    stats() {
      return Object.fromEntries([...tables].map(([prefix, table]) => [prefix, table.stats]));
    },
  };
}

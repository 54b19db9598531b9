/**
 * Token budgets and in-flight leases in Redis (issue 19), so that instances share them. Each operation
 * is one Lua script, atomic on the server: two instances reserving the last tokens of a window at the
 * same moment cannot both pass. Leases are sorted-set members scored by their expiry (Redis `TIME`), so
 * the slots of an instance that died are taken back after `concurrency.leaseTtlSec`.
 *
 * Works with ioredis and node-redis clients. Calls go through the same guard as the rate store (one
 * timeout, then the store counts as down until a probe answers; `onStoreError` applies meanwhile).
 * A script's keys must live on one node: on Redis Cluster give `keyPrefix` a hash tag, e.g.
 * `{ais}:tok`, so every key of one request hashes to the same slot.
 * @module
 */
import type { AcquireResult, BudgetStore, ReserveResult } from '../budget/store.js';

/** All or nothing: when one window would go over its limit, nothing is added. */
const RESERVE = `
local tokens = tonumber(ARGV[1])
for i = 1, #KEYS do
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + tokens > tonumber(ARGV[2 * i]) then
    local ttl = redis.call('PTTL', KEYS[i])
    if ttl < 0 then ttl = tonumber(ARGV[2 * i + 1]) end
    return {0, i - 1, ttl, used}
  end
end
for i = 1, #KEYS do
  local ttl = redis.call('PTTL', KEYS[i])
  redis.call('INCRBY', KEYS[i], tokens)
  if ttl < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1]) end
end
return {1}
`;

/** Live windows only (a window that rolled over is not charged for the last one's refund); never below 0. */
const ADJUST = `
local delta = tonumber(ARGV[1])
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local after = redis.call('INCRBY', KEYS[i], delta)
    if after < 0 then redis.call('INCRBY', KEYS[i], -after) end
  end
end
return 1
`;

/** Expired leases are dropped first; the set itself expires with its newest lease. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then return {0, i - 1} end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return {1}
`;

const RELEASE = `
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 1
`;

export interface RedisBudgetStoreOptions {
  /** Set for node-redis v4+ clients (`createClient()`); ioredis is the default. */
  useRedisPackage?: boolean;
}

type IoRedisEval = (script: string, numKeys: number, ...args: Array<string | number>) => Promise<unknown>;
type NodeRedisEval = (script: string, options: { keys: string[]; arguments: string[] }) => Promise<unknown>;

/**
 * Creates a BudgetStore over an existing Redis client (its lifecycle stays yours). Pass the same store
 * to `budget.store` and `concurrency.store`.
 * @example
 * import { Redis } from 'ioredis';
 * import { createRedisBudgetStore } from '@ai-shield/core/node';
 * const store = createRedisBudgetStore(new Redis(process.env.REDIS_URL));
 * aiShield({ budget: { perIdentity: { tokens: 50_000 }, store }, concurrency: { perIdentity: 4, store } });
 */
export function createRedisBudgetStore(client: unknown, options: RedisBudgetStoreOptions = {}): BudgetStore {
  const evaluate = (client as { eval?: unknown }).eval;
  if (typeof evaluate !== 'function') {
    throw new TypeError(
      'createRedisBudgetStore: expected a Redis client with eval() (ioredis or node-redis)',
    );
  }
  const run = (script: string, keys: readonly string[], args: Array<string | number>): Promise<unknown> =>
    options.useRedisPackage
      ? (evaluate as NodeRedisEval).call(client, script, { keys: [...keys], arguments: args.map(String) })
      : (evaluate as IoRedisEval).call(client, script, keys.length, ...keys, ...args);
  const ping = (client as { ping?: () => Promise<unknown> }).ping;

  return {
    kind: 'redis',
    ...(typeof client === 'object' && client !== null ? { backend: client } : {}),
    async reserve(charges, tokens): Promise<ReserveResult> {
      const args: Array<string | number> = [tokens];
      for (const charge of charges) args.push(charge.limit, Math.ceil(charge.windowMs));
      const reply = (await run(
        RESERVE,
        charges.map((charge) => charge.key),
        args,
      )) as number[];
      if (Number(reply[0]) === 1) return { ok: true };
      return { ok: false, index: Number(reply[1]), retryAfterMs: Number(reply[2]), used: Number(reply[3]) };
    },
    async adjust(charges, delta) {
      if (delta === 0 || charges.length === 0) return;
      await run(
        ADJUST,
        charges.map((charge) => charge.key),
        [Math.round(delta)],
      );
    },
    async acquire(slots, leaseId, ttlMs): Promise<AcquireResult> {
      const reply = (await run(
        ACQUIRE,
        slots.map((slot) => slot.key),
        [leaseId, Math.ceil(ttlMs), ...slots.map((slot) => slot.limit)],
      )) as number[];
      return Number(reply[0]) === 1 ? { ok: true } : { ok: false, index: Number(reply[1]) };
    },
    async release(keys, leaseId) {
      if (keys.length > 0) await run(RELEASE, keys, [leaseId]);
    },
    probe() {
      return typeof ping === 'function' ? ping.call(client) : run('return 1', [], []);
    },
  };
}

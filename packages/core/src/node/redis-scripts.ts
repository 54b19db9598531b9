/**
 * Lua scripts for the shared stores, run with EVALSHA (EVAL once after a restart flushed the script
 * cache), for ioredis and node-redis clients alike. Each script touches one client's or one group's keys
 * and sets a TTL on every key it writes.
 * @module
 */
import { createHash } from 'node:crypto';

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

type IoRedisEval = (scriptOrSha: string, numKeys: number, ...rest: string[]) => Promise<unknown>;
type NodeRedisEval = (
  scriptOrSha: string,
  options: { keys: string[]; arguments: string[] },
) => Promise<unknown>;

/** Runs scripts on one client. */
export interface ScriptRunner {
  run(script: Script, keys: string[], args: Array<string | number>): Promise<unknown>;
  /** PING: what the guards' probes call (no side effect). */
  ping(): Promise<unknown>;
}

/**
 * Wraps an ioredis or node-redis (v4+) client. node-redis is recognised by its camel-case `evalSha`, or
 * forced with `useRedisPackage`.
 */
export function scriptRunner(client: unknown, useRedisPackage?: boolean): ScriptRunner {
  const c = client as Record<string, unknown>;
  const node = useRedisPackage ?? (typeof c.evalSha === 'function' && typeof c.evalsha !== 'function');
  const evalsha = (node ? c.evalSha : c.evalsha) as IoRedisEval & NodeRedisEval;
  const evalScript = c.eval as IoRedisEval & NodeRedisEval;
  if (typeof evalsha !== 'function' || typeof evalScript !== 'function' || typeof c.ping !== 'function') {
    throw new TypeError('createRedisStores: expected an ioredis or node-redis client (eval, evalsha, ping)');
  }
  const call = (fn: IoRedisEval & NodeRedisEval, first: string, keys: string[], args: string[]) =>
    node
      ? (fn as NodeRedisEval).call(client, first, { keys, arguments: args })
      : (fn as IoRedisEval).call(client, first, keys.length, ...keys, ...args);
  return {
    async run(s, keys, args) {
      const strings = args.map(String);
      try {
        return await call(evalsha, s.sha, keys, strings);
      } catch (error) {
        if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error;
        return call(evalScript, s.lua, keys, strings);
      }
    },
    ping: () => (c.ping as () => Promise<unknown>).call(client),
  };
}

/**
 * Behaviour history: returns the client's history (newest first) and the repeat count, then pushes the
 * new entries. KEYS: history list [, repeat counter]. ARGV: historySize, ttlSec, repeatWindowSec, entries...
 */
export const BEHAVIOR_RECORD = script(`
local size = tonumber(ARGV[1])
local history = redis.call('LRANGE', KEYS[1], 0, size - 1)
for i = 4, #ARGV do redis.call('LPUSH', KEYS[1], ARGV[i]) end
redis.call('LTRIM', KEYS[1], 0, size - 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
local repeats = 0
if KEYS[2] then
  repeats = redis.call('INCR', KEYS[2])
  if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
end
return {repeats, history}
`);

/**
 * Incidents: a sorted set by time, trimmed by age and count. KEYS: the set. ARGV: ts, member, retentionMs, max.
 */
export const INCIDENT_ADD = script(`
local ts = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], ts, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', ts - tonumber(ARGV[3])))
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[4])
if n > max then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
`);

/**
 * Numeric baselines: merges a delta of moments (Chan et al.) into a route's record and returns the result.
 * KEYS: the record. ARGV: delta JSON, maxSamples, ttlMs.
 */
export const BASELINE_MERGE = script(`
local cap = tonumber(ARGV[2])
local function num(x) if type(x) == 'number' then return x end return nil end
local function moments(a, b)
  a = type(a) == 'table' and a or {}
  b = type(b) == 'table' and b or {}
  local an, bn = num(a.n) or 0, num(b.n) or 0
  local r
  if bn == 0 then r = {n = an, mean = num(a.mean) or 0, m2 = num(a.m2) or 0}
  elseif an == 0 then r = {n = bn, mean = num(b.mean) or 0, m2 = num(b.m2) or 0}
  else
    local n = an + bn
    local delta = (num(b.mean) or 0) - (num(a.mean) or 0)
    r = {n = n, mean = (num(a.mean) or 0) + delta * bn / n, m2 = (num(a.m2) or 0) + (num(b.m2) or 0) + delta * delta * an * bn / n}
  end
  if r.n > cap and cap > 1 then r.m2 = r.m2 * (cap - 1) / (r.n - 1); r.n = cap end
  return r
end
local function pick(a, b, f)
  a, b = num(a), num(b)
  if a == nil then return b end
  if b == nil then return a end
  return f(a, b)
end
local d = cjson.decode(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local c = {}
if raw then c = cjson.decode(raw) end
local out = {
  samples = (num(c.samples) or 0) + (num(d.samples) or 0),
  min = pick(c.min, d.min, math.min),
  max = pick(c.max, d.max, math.max),
  rms = moments(c.rms, d.rms), rough = moments(c.rough, d.rough),
  curv = moments(c.curv, d.curv), spike = moments(c.spike, d.spike),
}
local encoded = cjson.encode(out)
redis.call('SET', KEYS[1], encoded, 'PX', ARGV[3])
return encoded
`);

/**
 * Alert windows: counts one incident; exactly one caller gets fire = 1. KEYS: window hash, samples list.
 * ARGV: at, windowMs, threshold, sample JSON, ttlMs.
 */
export const ALERT_HIT = script(`
local at = tonumber(ARGV[1])
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if (not start) or at - start >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'start', ARGV[1], 'fired', 0, 'count', 0, 'last', ARGV[1])
  start = at
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
if at > tonumber(redis.call('HGET', KEYS[1], 'last')) then redis.call('HSET', KEYS[1], 'last', ARGV[1]) end
if redis.call('LLEN', KEYS[2]) < 5 then redis.call('RPUSH', KEYS[2], ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local fire = 0
local samples = {}
if tonumber(redis.call('HGET', KEYS[1], 'fired')) == 0 and count >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'fired', count)
  fire = 1
  samples = redis.call('LRANGE', KEYS[2], 0, 4)
end
return {count, string.format('%d', start), fire, samples}
`);

/** Alert windows: the final state of a window, or nil when a newer one replaced it. KEYS as ALERT_HIT. ARGV: start. */
export const ALERT_CLOSE = script(`
local start = redis.call('HGET', KEYS[1], 'start')
if (not start) or tonumber(start) ~= tonumber(ARGV[1]) then return false end
local r = redis.call('HMGET', KEYS[1], 'count', 'fired', 'last')
return {r[1], r[2], r[3], redis.call('LRANGE', KEYS[2], 0, 4)}
`);

/** Incidents since a time. KEYS: the set. ARGV: since (ms). */
export const INCIDENT_SINCE = script(`
return redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
`);

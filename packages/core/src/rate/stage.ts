/**
 * The rate stage (seeds 000/001: rate monitoring, failed attempts, minimum interval), on counters from a
 * `RateStore`. Limiters are created once per policy; the per-request cost is one store round trip per
 * configured budget, independent of how busy a key is.
 * @module
 */
import type { RateOptions } from '../config/schema.js';
import { AiShieldError } from '../errors.js';
import type { Block, RequestContext } from '../stage.js';
import { createMemoryStore } from './memory.js';
import type { Limiter, LimiterOptions, LimitResult, RateStore } from './store.js';
import { createStoreGuards, type StoreGuards } from './store-guard.js';

/** The compiled rate stage of one policy. */
export interface RateStage {
  /** Runs the budgets. `lockoutChecked`: `lockout()` already ran for this request (after access). */
  run(ctx: RequestContext, lockoutChecked?: boolean): Promise<Block | undefined>;
  /**
   * Refuses a request while the failed-attempt delay of its identity, or (without a valid credential)
   * of its address, runs. The pipeline runs it after the access stage: a valid credential is let through
   * from a delayed address (behind a shared proxy that address is everyone's) unless that identity
   * itself is delayed.
   */
  lockout(ctx: RequestContext): Promise<Block | undefined>;
  /**
   * Counts a failed attempt against the address and the identity (verified, or named by a genuine but
   * refused credential), and from `max` failures on delays them: `delaySec`, doubling with each further
   * failure in the window, up to `blockDurationSec`.
   */
  recordFailure(ctx: RequestContext): Promise<void>;
}

class StoreClosedError extends AiShieldError {}

/**
 * A limiter that applies the `onStoreError` policy around a possibly remote store. Every call is bounded
 * by `storeTimeoutMs` through the store's guard (store-guard.ts), which also trips for the following
 * calls so that a hung store costs a request at most one timeout. The insurance limiter is an in-memory
 * twin created on first failure, as rate-limiter-flexible's `insuranceLimiter`.
 */
function guardedLimiter(
  store: RateStore,
  spec: LimiterOptions,
  options: RateOptions,
  guards: StoreGuards,
): Guarded {
  const primary = store.createLimiter(spec);
  if (store.kind === 'memory') return (_ctx, op) => op(primary);
  const guard = guards(store);
  const probe = () => primary.get('ais:probe');
  let insurance: Limiter | undefined;
  return async (ctx, op) => {
    try {
      return await guard.call(() => op(primary), probe, options.storeTimeoutMs);
    } catch (error) {
      const policy = options.onStoreError;
      if (!ctx.failures.some((failure) => failure.stage === 'rate')) {
        ctx.failures.push({
          stage: 'rate',
          policy,
          error: (error as { code?: string }).code ?? (error as Error).name ?? 'Error',
          message: (error as Error).message,
        });
      }
      if (policy === 'open') return undefined;
      if (policy === 'closed') throw new StoreClosedError('ERR_STORE_UNAVAILABLE', 'rate store unavailable');
      insurance ??= createMemoryStore({ maxKeys: options.maxClients }).createLimiter(spec);
      return op(insurance);
    }
  };
}

type Guarded = <T>(ctx: RequestContext, op: (limiter: Limiter) => Promise<T>) => Promise<T | undefined>;

function secondsCeil(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

function tooMany(code: Block['code'], reason: string, result: LimitResult, ctx: RequestContext): Block {
  ctx.headers['retry-after'] = secondsCeil(result.msBeforeNext);
  ctx.findings.push({
    kind: `rate.${code === 'ERR_RATE_LIMITED' ? 'limited' : code === 'ERR_RATE_LOCKED_OUT' ? 'locked_out' : 'too_frequent'}`,
    severity: 'medium',
    source: 'rate',
    message: reason,
  });
  return { status: 429, code, reason };
}

/** The client's counter key: its address, or its IPv6 prefix (`ipv6Subnet`). */
const addressKey = (ctx: RequestContext) => ctx.clientKey;

/** The identity failed attempts are counted against: verified, or named by a genuine refused credential. */
function identityKey(ctx: RequestContext): string | undefined {
  const identity = ctx.identity;
  if (identity) {
    const id = identity.kind === 'api-key' && identity.keyId ? identity.keyId : identity.id;
    return `id:${identity.kind ?? 'custom'}:${id}`;
  }
  return ctx.attempted ? `id:${ctx.attempted.kind}:${ctx.attempted.id}` : undefined;
}

/** Compiles the rate stage for one policy. `scope` separates the counters of per-route budgets. */
export function createRateStage(
  options: RateOptions,
  scope: string,
  guards: StoreGuards = createStoreGuards(),
  defaultStore: () => RateStore = createMemoryStore,
): RateStage {
  const store = options.store ?? defaultStore();
  const prefix = `${options.keyPrefix}:${scope}`;
  const perIp = options.perIp
    ? guardedLimiter(
        store,
        { keyPrefix: `${prefix}:ip`, points: options.perIp.points, durationSec: options.perIp.durationSec },
        options,
        guards,
      )
    : undefined;
  const perIdentity = options.perIdentity
    ? guardedLimiter(
        store,
        {
          keyPrefix: `${prefix}:id`,
          points: options.perIdentity.points,
          durationSec: options.perIdentity.durationSec,
        },
        options,
        guards,
      )
    : undefined;
  const minInterval =
    options.minIntervalMs > 0
      ? guardedLimiter(
          store,
          { keyPrefix: `${prefix}:gap`, points: 1, durationSec: options.minIntervalMs / 1000 },
          options,
          guards,
        )
      : undefined;
  const failed = options.failedAttempts;
  // Failed attempts are counted per client across routes: the scope is left out on purpose. The count
  // lives over `windowSec`; a running delay is a block on a second key, so the count keeps growing.
  const failures = failed
    ? guardedLimiter(
        store,
        { keyPrefix: `${options.keyPrefix}:fail`, points: failed.max, durationSec: failed.windowSec },
        options,
        guards,
      )
    : undefined;
  const delays = failed
    ? guardedLimiter(
        store,
        { keyPrefix: `${options.keyPrefix}:delay`, points: 1, durationSec: 1 },
        options,
        guards,
      )
    : undefined;

  // Per-API-key budgets (access.apiKeys records with `rate`), one limiter per distinct window.
  const keyLimiters = new Map<string, Guarded>();
  const keyLimiter = (points: number, durationSec: number): Guarded => {
    const id = `${points}/${durationSec}`;
    let limiter = keyLimiters.get(id);
    if (!limiter) {
      limiter = guardedLimiter(
        store,
        { keyPrefix: `${prefix}:key:${id}`, points, durationSec },
        options,
        guards,
      );
      keyLimiters.set(id, limiter);
    }
    return limiter;
  };

  async function lockout(ctx: RequestContext): Promise<Block | undefined> {
    if (!delays || !failed) return undefined;
    try {
      // A verified identity answers for itself; the address only stands in when there is none.
      const subject = identityKey(ctx);
      const keys = ctx.identity ? [subject!] : subject ? [subject, addressKey(ctx)] : [addressKey(ctx)];
      for (const key of keys) {
        const state = await delays(ctx, (limiter) => limiter.get(key));
        if (state && state.consumed > 1 && state.msBeforeNext > 0) {
          return tooMany(
            'ERR_RATE_LOCKED_OUT',
            `Too many failed attempts ${key.startsWith('id:') ? 'for this identity' : 'from this address'}: retry in ${secondsCeil(state.msBeforeNext)} s`,
            state,
            ctx,
          );
        }
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreClosedError) {
        return {
          status: 503,
          code: 'ERR_STORE_UNAVAILABLE',
          reason: 'Rate limiting is temporarily unavailable',
        };
      }
      throw error;
    }
  }

  async function run(ctx: RequestContext, lockoutChecked = false): Promise<Block | undefined> {
    const ipKey = ctx.clientKey;
    try {
      if (!lockoutChecked) {
        const locked = await lockout(ctx);
        if (locked) return locked;
      }
      let tightest: { result: LimitResult; window: { points: number; durationSec: number } } | undefined;
      if (perIp && options.perIp) {
        const result = await perIp(ctx, (limiter) => limiter.consume(ipKey));
        if (result) {
          tightest = { result, window: options.perIp };
          if (!result.allowed) {
            setHeaders(ctx, result, options.perIp);
            return tooMany(
              'ERR_RATE_LIMITED',
              `Rate limit of ${options.perIp.points} requests per ${options.perIp.durationSec} s exceeded`,
              result,
              ctx,
            );
          }
        }
      }
      if (perIdentity && options.perIdentity && ctx.identity) {
        const result = await perIdentity(ctx, (limiter) => limiter.consume(`${ctx.identity!.id}`));
        if (result) {
          if (!tightest || result.remaining < tightest.result.remaining) {
            tightest = { result, window: options.perIdentity };
          }
          if (!result.allowed) {
            setHeaders(ctx, result, options.perIdentity);
            return tooMany(
              'ERR_RATE_LIMITED',
              `Rate limit of ${options.perIdentity.points} requests per ${options.perIdentity.durationSec} s per identity exceeded`,
              result,
              ctx,
            );
          }
        }
      }
      if (ctx.keyLimit) {
        const { keyId, points, durationSec } = ctx.keyLimit;
        const result = await keyLimiter(points, durationSec)(ctx, (limiter) => limiter.consume(keyId));
        if (result) {
          const window = { points, durationSec };
          if (!tightest || result.remaining < tightest.result.remaining) tightest = { result, window };
          if (!result.allowed) {
            setHeaders(ctx, result, window);
            return tooMany(
              'ERR_RATE_LIMITED',
              `Rate limit of ${points} requests per ${durationSec} s for this API key exceeded`,
              result,
              ctx,
            );
          }
        }
      }
      if (tightest) setHeaders(ctx, tightest.result, tightest.window);
      if (minInterval) {
        const result = await minInterval(ctx, (limiter) => limiter.consume(ctx.identity?.id ?? ipKey));
        if (result && !result.allowed) {
          const reason = `Requests less than ${options.minIntervalMs} ms apart`;
          if (options.minIntervalAction === 'block')
            return tooMany('ERR_RATE_TOO_FREQUENT', reason, result, ctx);
          ctx.findings.push({
            kind: 'rate.too_frequent',
            severity: 'medium',
            source: 'rate',
            message: reason,
          });
        }
      }
      return undefined;
    } catch (error) {
      if (error instanceof StoreClosedError) {
        return {
          status: 503,
          code: 'ERR_STORE_UNAVAILABLE',
          reason: 'Rate limiting is temporarily unavailable',
        };
      }
      throw error;
    }

    function setHeaders(
      context: RequestContext,
      result: LimitResult,
      window: { points: number; durationSec: number },
    ) {
      if (!options.headers) return;
      context.headers['ratelimit-limit'] = String(window.points);
      context.headers['ratelimit-remaining'] = String(result.remaining);
      context.headers['ratelimit-reset'] = String(Math.ceil(result.msBeforeNext / 1000));
      context.headers['ratelimit-policy'] = `${window.points};w=${window.durationSec}`;
    }
  }

  async function recordFailure(ctx: RequestContext): Promise<void> {
    if (!failures || !delays || !failed) return;
    try {
      const subject = identityKey(ctx);
      for (const key of subject ? [addressKey(ctx), subject] : [addressKey(ctx)]) {
        const result = await failures(ctx, (limiter) => limiter.penalty(key));
        if (!result || result.consumed < failed.max) continue;
        const delay = Math.min(
          failed.blockDurationSec,
          failed.delaySec * 2 ** Math.min(30, result.consumed - failed.max),
        );
        await delays(ctx, (limiter) => limiter.block(key, delay));
        const who = key.startsWith('id:') ? 'Identity' : 'Client address';
        ctx.findings.push(
          result.consumed === failed.max
            ? {
                kind: 'rate.lockout_started',
                severity: 'high',
                source: 'rate',
                message: `${who} reached ${failed.max} failed attempts: delayed ${delay} s, doubling with each further failure up to ${failed.blockDurationSec} s`,
              }
            : {
                kind: 'rate.lockout_extended',
                severity: 'medium',
                source: 'rate',
                message: `${who} failed again (${result.consumed} in the window): delayed ${delay} s`,
              },
        );
      }
    } catch (error) {
      if (!(error instanceof StoreClosedError)) throw error;
    }
  }

  return { run, lockout, recordFailure };
}

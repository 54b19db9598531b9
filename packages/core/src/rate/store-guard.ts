/**
 * Bounds every call to a remote store (Redis counters, the behaviour repeat counter, lockouts, single-use
 * token ids) and trips when the store stops answering.
 *
 * A hung store is worse than a dead one: a dead Redis refuses at once, a frozen one (process stopped,
 * connection open) never answers, and every request waiting on it stalls (issue 13: 20 s without an
 * answer while `/healthz` stayed green). So:
 *
 * - each call waits at most `timeoutMs`, then rejects with `ERR_STORE_UNAVAILABLE`;
 * - after a failure the store is marked down, and while it is down calls reject at once, so a request
 *   waits for at most one timeout whatever the number of store calls it makes, and the next requests
 *   do not wait at all; callers fall back to their in-memory insurance counters;
 * - at most once per `retryMs`, a call made while the store is down also starts a side-effect-free probe
 *   (e.g. a GET) in the background, not awaited by any request; when a probe answers in time the store
 *   is up again and counting resumes there. No timer runs while nothing calls (Workers-safe).
 *
 * One guard per store and shield: every stage that uses the store shares its state.
 * @module
 */
import { AiShieldError } from '../errors.js';

/** Options of {@link createStoreGuard}. */
export interface StoreGuardOptions {
  /** Delay between recovery probes while the store is down. Default 1000 ms. */
  retryMs?: number;
  /** Clock in milliseconds; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

/** The state of one store, shared by its callers. */
export interface StoreGuard {
  /**
   * Runs `op` within `timeoutMs`. Rejects with `AiShieldError('ERR_STORE_UNAVAILABLE')` on timeout, on
   * an error from the store (kept as `cause`), or at once while the store is down. `probe` must have no
   * side effect: it is what runs in the background to find out whether the store is back.
   */
  call<T>(op: () => Promise<T>, probe: () => Promise<unknown>, timeoutMs: number): Promise<T>;
  /** True while calls are refused without trying the store. */
  readonly down: boolean;
}

/** Rejects after `ms` unless `promise` settles first; the timer is cleared either way. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AiShieldError('ERR_STORE_UNAVAILABLE', `${what} did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Creates the guard of one store.
 * @example
 * const guard = createStoreGuard('redis');
 * const res = await guard.call(() => limiter.consume(ip), () => limiter.get(ip), 250);
 */
export function createStoreGuard(kind: string, options: StoreGuardOptions = {}): StoreGuard {
  const retryMs = options.retryMs ?? 1000;
  const now = options.now ?? Date.now;
  let down = false;
  let downSince = 0;
  let nextProbeAt = 0;
  let probing = false;
  let lastError = '';

  const markDown = (error: unknown) => {
    if (!down) downSince = now();
    down = true;
    nextProbeAt = now() + retryMs;
    lastError = (error as Error)?.message ?? String(error);
  };

  const startProbe = (probe: () => Promise<unknown>, timeoutMs: number) => {
    probing = true;
    nextProbeAt = now() + retryMs;
    withTimeout(Promise.resolve().then(probe), timeoutMs, `${kind} store`)
      .then(
        () => {
          down = false;
        },
        (error) => markDown(error),
      )
      .finally(() => {
        probing = false;
      });
  };

  return {
    async call(op, probe, timeoutMs) {
      if (down) {
        if (!probing && now() >= nextProbeAt) startProbe(probe, timeoutMs);
        throw new AiShieldError(
          'ERR_STORE_UNAVAILABLE',
          `${kind} store is down since ${new Date(downSince).toISOString()} (${lastError}); using insurance counters until a probe answers`,
        );
      }
      try {
        return await withTimeout(op(), timeoutMs, `${kind} store`);
      } catch (error) {
        markDown(error);
        if (error instanceof AiShieldError) throw error;
        throw new AiShieldError('ERR_STORE_UNAVAILABLE', `${kind} store: ${(error as Error)?.message}`, {
          cause: error,
        });
      }
    },
    get down() {
      return down;
    },
  };
}

/**
 * One guard per store connection (`backend`, else the store object), created on first use: what a
 * shield hands to its stages. The rate store and the replay store over one Redis client share a guard.
 */
export type StoreGuards = (store: { readonly kind: string; readonly backend?: object }) => StoreGuard;

/** Creates the per-shield registry of store guards. */
export function createStoreGuards(options: StoreGuardOptions = {}): StoreGuards {
  const guards = new WeakMap<object, StoreGuard>();
  return (store) => {
    const id = store.backend ?? store;
    let guard = guards.get(id);
    if (!guard) {
      guard = createStoreGuard(store.kind, options);
      guards.set(id, guard);
    }
    return guard;
  };
}

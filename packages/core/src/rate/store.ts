/**
 * The counter store behind rate monitoring and behaviour tracking. "Over the limit" is a result;
 * "store down" is a thrown Error (rate-limiter-flexible's model), which the pipeline's `onStoreError`
 * policy handles.
 * @module
 */

export interface LimiterOptions {
  /** Namespace for keys, e.g. `ais:ip`. Two shields sharing a store and a prefix share budgets. */
  keyPrefix: string;
  /** Points allowed per window. */
  points: number;
  /** Window length in seconds. */
  durationSec: number;
  /** When the limit is exceeded, block the key for this many seconds (0: no extra block). */
  blockDurationSec?: number;
}

export interface LimitResult {
  /** False when this consume went over the limit (or the key is blocked). */
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets or the block ends. */
  msBeforeNext: number;
  /** Points consumed in the current window, including this call. */
  consumed: number;
}

export interface Limiter {
  consume(key: string, points?: number): Promise<LimitResult>;
  /** Add points without the limit check (failed attempts). */
  penalty(key: string, points?: number): Promise<LimitResult>;
  /** Current state without consuming; null when the key has no record. */
  get(key: string): Promise<LimitResult | null>;
  /** Block the key for `seconds`. */
  block(key: string, seconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A factory of limiters over one backing store (memory per process/isolate, or Redis). */
export interface RateStore {
  /** `memory`, `redis`, ... shown in audit entries and failures. */
  readonly kind: string;
  /**
   * The connection behind the store (e.g. the Redis client). Stores that share one also share their
   * health: when it hangs, every stage using it falls back at once instead of each waiting in turn.
   */
  readonly backend?: object;
  createLimiter(options: LimiterOptions): Limiter;
}

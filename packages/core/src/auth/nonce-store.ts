/**
 * Single-use token ids (replay protection). The memory store counts per process (per isolate on
 * Workers); `createRedisNonceStore` in `@ai-shield/core/node` shares the ids between instances.
 * @module
 */

/**
 * Remembers ids until their TTL ends. Store failures are thrown Errors: the access stage then applies
 * `access.onError` (fail closed by default), never a silent pass.
 */
export interface NonceStore {
  /** `memory`, `redis`, ... shown in failures. */
  readonly kind: string;
  /** The connection behind the store; see `RateStore.backend`. */
  readonly backend?: object;
  /** Records `key` for `ttlSec` seconds. True the first time; false when the key is already recorded. */
  claim(key: string, ttlSec: number): Promise<boolean>;
}

export interface MemoryNonceStoreOptions {
  /**
   * Most ids kept. When full, expired ids are swept first, then the oldest are dropped: a token whose
   * id was dropped could be replayed, so size this above the tokens issued per token lifetime.
   */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Creates the in-memory store (the default for `access.jwt.replay: true`).
 * @example
 * createShield({ access: { jwt: { secret, replay: { store: createMemoryNonceStore() } } } });
 */
export function createMemoryNonceStore(options: MemoryNonceStoreOptions = {}): NonceStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order only roughly (TTLs differ), which is good enough for eviction.
  const seen = new Map<string, number>();
  const sweep = (at: number) => {
    for (const [key, expires] of seen) if (expires <= at) seen.delete(key);
  };
  return {
    kind: 'memory',
    async claim(key, ttlSec) {
      const at = now();
      const expires = seen.get(key);
      if (expires !== undefined && expires > at) return false;
      if (seen.size >= maxEntries) {
        sweep(at);
        while (seen.size >= maxEntries) seen.delete(seen.keys().next().value as string);
      }
      seen.set(key, at + Math.max(1, ttlSec) * 1000);
      return true;
    },
  };
}

/**
 * Single-use token ids in Redis (`SET key 1 NX EX ttl`), so that a token replayed against another
 * instance is refused too. Works with ioredis and node-redis clients.
 * @module
 */
import type { NonceStore } from '../auth/nonce-store.js';

export interface RedisNonceStoreOptions {
  /** Key namespace (default `ais:jti`). */
  keyPrefix?: string;
  /** Set for node-redis v4+ clients (`createClient()`); ioredis is the default. */
  useRedisPackage?: boolean;
}

type IoRedisSet = (key: string, value: string, ex: 'EX', ttl: number, nx: 'NX') => Promise<string | null>;
type NodeRedisSet = (key: string, value: string, options: { EX: number; NX: true }) => Promise<string | null>;

/**
 * Creates a NonceStore over an existing Redis client (its lifecycle stays yours). A Redis error or
 * timeout (`rate.storeTimeoutMs`) claims the id in the in-memory store instead (insurance), unless
 * `rate.onStoreError` is `closed`, which fails the access stage.
 * @example
 * import Redis from 'ioredis';
 * import { createRedisNonceStore } from '@ai-shield/core/node';
 * aiShield({ access: { jwt: { secret, replay: { store: createRedisNonceStore(new Redis()) } } } });
 */
export function createRedisNonceStore(client: unknown, options: RedisNonceStoreOptions = {}): NonceStore {
  const prefix = options.keyPrefix ?? 'ais:jti';
  const set = (client as { set: unknown }).set;
  if (typeof set !== 'function')
    throw new TypeError('createRedisNonceStore: expected a Redis client with set()');
  return {
    kind: 'redis',
    ...(typeof client === 'object' && client !== null ? { backend: client } : {}),
    async claim(key, ttlSec) {
      const ttl = Math.max(1, Math.ceil(ttlSec));
      const name = `${prefix}:${key}`;
      const reply = options.useRedisPackage
        ? await (set as NodeRedisSet).call(client, name, '1', { EX: ttl, NX: true })
        : await (set as IoRedisSet).call(client, name, '1', 'EX', ttl, 'NX');
      return reply === 'OK';
    },
  };
}

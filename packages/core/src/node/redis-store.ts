/**
 * Redis-backed counters, so that several app instances share one budget (rate-limiter-flexible's
 * RateLimiterRedis). Works with ioredis and node-redis clients.
 *
 * When Redis is unreachable the limiter rejects at once (`rejectIfRedisNotReady`) instead of queueing;
 * when it hangs (process stopped, connection open) the shield stops waiting after `rate.storeTimeoutMs`.
 * Either way the pipeline's `rate.onStoreError` policy applies (default: in-memory insurance counters).
 * Set the client's own `commandTimeout` too (README, "Several instances: Redis"), so that commands
 * the shield stopped waiting for do not pile up in the client.
 * @module
 */
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { adaptLimiter } from '../rate/limiter-adapter.js';
import type { RateStore } from '../rate/store.js';

export interface RedisStoreOptions {
  /** Set for node-redis v4+ clients (`createClient()`); ioredis is detected automatically. */
  useRedisPackage?: boolean;
}

/**
 * Creates a RateStore over an existing Redis client. The client's lifecycle stays yours.
 * @example
 * import Redis from 'ioredis';
 * import { createRedisStore } from '@ai-shield/core/node';
 * aiShield({ rate: { store: createRedisStore(new Redis(process.env.REDIS_URL)) } });
 */
export function createRedisStore(client: unknown, options: RedisStoreOptions = {}): RateStore {
  return {
    kind: 'redis',
    ...(typeof client === 'object' && client !== null ? { backend: client } : {}),
    createLimiter({ keyPrefix, points, durationSec, blockDurationSec = 0 }) {
      const limiter = new RateLimiterRedis({
        storeClient: client,
        keyPrefix,
        points,
        duration: durationSec,
        blockDuration: blockDurationSec,
        rejectIfRedisNotReady: true,
        ...(options.useRedisPackage ? { useRedisPackage: true } : {}),
      });
      return adaptLimiter(limiter, points);
    },
  };
}

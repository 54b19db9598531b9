import type { ShieldOptions } from '@ai-shield/core';
import type { Redis } from 'ioredis';

/** The examples' Redis client: no offline queue, a command timeout, quick reconnects. */
export function exampleRedisClient(url: string, env?: Record<string, string | undefined>): Redis;
/** `exampleShieldOptions` plus, when REDIS_URL is set, `stores: createRedisStores(redis)`. */
export function exampleNodeOptions(
  modelName: string,
  env?: Record<string, string | undefined>,
): ShieldOptions;

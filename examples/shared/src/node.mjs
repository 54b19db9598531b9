/**
 * The shield options of the Node example apps: the shared ones (options.mjs) plus, when REDIS_URL is set,
 * every piece of shared state in that Redis (rate budgets and lockouts, replay ids, incidents, behaviour
 * history, numeric baselines, alert windows, and the audit head records), so that several instances
 * behind one load balancer act as one. Node only: the Worker example does not import this file.
 */
import { createRedisStores } from '@ai-shield/core/node';
import { Redis } from 'ioredis';
import { exampleShieldOptions } from './options.mjs';

/**
 * The Redis client of the examples: commands fail at once while disconnected (no offline queue) and
 * give up after AI_SHIELD_REDIS_COMMAND_TIMEOUT_MS (default 1000), so that a dead or frozen Redis never
 * holds requests; the shield's own store timeout (AI_SHIELD_STORE_TIMEOUT_MS, 250 ms) is shorter still.
 * @param {string} url
 * @param {Record<string, string | undefined>} env
 */
export function exampleRedisClient(url, env = process.env) {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: Number(env.AI_SHIELD_REDIS_COMMAND_TIMEOUT_MS ?? 1000),
    // Reconnect quickly after an outage: counting moves back to Redis once it answers again.
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  // Connection errors are expected while Redis is down; the shield reports them as store failures.
  let warned = false;
  client.on('error', (error) => {
    if (!warned) console.warn(`[example] Redis: ${error.message} (falling back to in-memory state)`);
    warned = true;
  });
  client.on('ready', () => {
    warned = false;
  });
  return client;
}

/**
 * @param {string} modelName
 * @param {Record<string, string | undefined>} env
 */
export function exampleNodeOptions(modelName, env = process.env) {
  const options = exampleShieldOptions(modelName, env);
  if (!env.REDIS_URL) return options;
  return { ...options, stores: createRedisStores(exampleRedisClient(env.REDIS_URL, env)) };
}

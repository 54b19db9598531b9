/**
 * `createMemoryStores()`: every store of `ShieldStores` in memory. Several shields in one process or
 * isolate (one per tenant, per model, ...) that are given the same object share budgets, lockouts,
 * replay ids, incidents, behaviour history, baselines and alert windows, exactly as a fleet does through
 * `createRedisStores` (and it is how the shared code paths are tested without Redis).
 * @module
 */
import { createMemoryAlertWindowStore } from '../alerts/window-store.js';
import { createMemoryNonceStore } from '../auth/nonce-store.js';
import { createMemoryBaselineStore } from '../detection/baseline-store.js';
import { createMemoryBehaviorStore } from '../detection/behavior-store.js';
import { createMemoryIncidentStore } from '../incidents/memory-store.js';
import { createMemoryStore } from '../rate/memory.js';
import type { ShieldStores } from './types.js';

/**
 * Creates one set of in-memory stores to pass as `stores` to several shields.
 * @example
 * const stores = createMemoryStores();
 * const chat = createShield({ stores, modelName: 'chat' });
 * const embed = createShield({ stores, modelName: 'embed' });
 */
export function createMemoryStores(): Required<ShieldStores> {
  return {
    rate: createMemoryStore(),
    nonce: createMemoryNonceStore(),
    incidents: createMemoryIncidentStore(),
    behavior: createMemoryBehaviorStore(),
    baselines: createMemoryBaselineStore(),
    alerts: createMemoryAlertWindowStore(),
  };
}

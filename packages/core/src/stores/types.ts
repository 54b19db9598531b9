/**
 * `stores`: everything a shield keeps per client or per deployment, in one place, so that a fleet of
 * instances can share it (one `createRedisStores(client)` from `@ai-shield/core/node`). Each member is
 * optional; what is not given stays in memory, per process (per isolate on Workers).
 * @module
 */
import type { AlertWindowStore } from '../alerts/window-store.js';
import type { NonceStore } from '../auth/nonce-store.js';
import type { BaselineStore } from '../detection/baseline-store.js';
import type { BehaviorStore } from '../detection/behavior-store.js';
import type { IncidentStore } from '../incidents/types.js';
import type { RateStore } from '../rate/store.js';

/**
 * The shared state of a shield. Every remote call is bounded by `rate.storeTimeoutMs` and goes through
 * one guard per connection (`backend`): when the store hangs or is down, every part falls back to its
 * in-memory twin at once (`rate.onStoreError`, default `insurance`) and resumes when a probe answers.
 *
 * - `rate`: per-IP, per-identity and per-key budgets, the minimum interval, and failed-attempt lockouts.
 * - `nonce`: single-use JWT ids (`access.jwt.replay`).
 * - `incidents`: the incident records behind `getIncidentSummary` (one summary for the fleet).
 * - `behavior`: each client's recent input fingerprints and repeat counts (probing across instances).
 * - `baselines`: the numeric baselines' running moments, merged across instances.
 * - `alerts`: alert de-duplication and aggregation windows (one alert per group and window).
 * @example
 * import Redis from 'ioredis';
 * import { createRedisStores } from '@ai-shield/core/node';
 * createShield({ stores: createRedisStores(new Redis(process.env.REDIS_URL)) });
 */
export interface ShieldStores {
  rate?: RateStore;
  nonce?: NonceStore;
  incidents?: IncidentStore;
  behavior?: BehaviorStore;
  baselines?: BaselineStore;
  alerts?: AlertWindowStore;
}

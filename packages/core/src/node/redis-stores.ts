/**
 * `createRedisStores(client)`: every piece of state a fleet of shields shares, on one Redis connection
 * (ioredis, or node-redis v4+). Pass it as `stores`:
 *
 * - `rate`: budgets, minimum interval and failed-attempt lockouts (rate-limiter-flexible's Redis limiter);
 * - `nonce`: single-use JWT ids (`SET NX EX`);
 * - `incidents`: one sorted set of incident records, trimmed by age and count;
 * - `behavior`: each client's recent input fingerprints and repeat counters (one Lua call per request);
 * - `baselines`: the numeric baselines' moments, merged in the background (Lua, Chan's formula);
 * - `alerts`: alert windows, so that one instance sends the alert for a burst spread over all of them.
 *
 * Every key has a TTL. Every call goes through the shield's store guard: bounded by `rate.storeTimeoutMs`,
 * and while Redis is down or frozen each part uses its in-memory twin (insurance) until a PING answers.
 * Set the client's own `commandTimeout` too, and prefer `enableOfflineQueue: false` (ioredis), so that
 * commands the shield stopped waiting for do not pile up in the client.
 *
 * Keys live under `keyPrefix` (default `ais`); a Lua call touches one client's or one group's keys only,
 * which share a hash tag (`{...}`), so the scripts also run on Redis Cluster.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Alert } from '../alerts/types.js';
import type { AlertWindowStore } from '../alerts/window-store.js';
import type { AuditHeadStore } from '../audit/types.js';
import type { BaselineMoments, BaselineStore } from '../detection/baseline-store.js';
import { parseBaselineMoments } from '../detection/baseline-store.js';
import type { BehaviorStore } from '../detection/behavior-store.js';
import type { Incident, IncidentStore } from '../incidents/types.js';
import type { ShieldStores } from '../stores/types.js';
import { createRedisAuditHeads } from './audit-heads.js';
import { createRedisNonceStore } from './redis-nonce-store.js';
import {
  ALERT_CLOSE,
  ALERT_HIT,
  BASELINE_MERGE,
  BEHAVIOR_RECORD,
  INCIDENT_ADD,
  INCIDENT_SINCE,
  scriptRunner,
} from './redis-scripts.js';
import { createRedisStore } from './redis-store.js';

export interface RedisStoresOptions {
  /** Key namespace. Default `ais` (the rate limiter keys use `rate.keyPrefix`, also `ais` by default). */
  keyPrefix?: string;
  /** Set for node-redis v4+ clients (`createClient()`); detected from `evalSha` otherwise. */
  useRedisPackage?: boolean;
  /** Incident records kept (the oldest go first). Default 100,000. */
  maxIncidents?: number;
  /** Incident records older than this are dropped. Default 168 (7 days). */
  incidentRetentionHours?: number;
  /** A route's shared baseline is forgotten after this long without traffic. Default 7 days. */
  baselineTtlSec?: number;
}

/**
 * The stores `createRedisStores` returns: every member of `ShieldStores`, plus `auditHeads`, which
 * `withNodeSinks` uses to publish each instance's audit head record (see audit-heads.ts).
 */
export type RedisStores = Required<ShieldStores> & { auditHeads: AuditHeadStore };

/** Keeps keys short and free of odd bytes whatever the id (client keys, group keys, routes). */
function keyPart(value: string): string {
  if (value.length <= 120 && /^[\w.:@/*|-]*$/.test(value)) return value;
  return `h${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;
}

function parseJson<T>(text: unknown): T | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * Creates every shared store over one Redis client. The client's lifecycle stays yours.
 * @example
 * import Redis from 'ioredis';
 * import { createRedisStores } from '@ai-shield/core/node';
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, commandTimeout: 1000 });
 * app.use(aiShield({ stores: createRedisStores(redis) }));
 */
export function createRedisStores(client: unknown, options: RedisStoresOptions = {}): RedisStores {
  const prefix = options.keyPrefix ?? 'ais';
  const c = client as Record<string, unknown> | null;
  const nodeRedis =
    options.useRedisPackage ?? (typeof c?.evalSha === 'function' && typeof c?.evalsha !== 'function');
  const scripts = scriptRunner(client, nodeRedis);
  const backend = typeof client === 'object' && client !== null ? { backend: client } : {};
  const maxIncidents = options.maxIncidents ?? 100_000;
  const retentionMs = (options.incidentRetentionHours ?? 168) * 3_600_000;
  const baselineTtlMs = (options.baselineTtlSec ?? 7 * 86_400) * 1000;
  const probe = () => scripts.ping();
  const incidentsKey = `${prefix}:incidents`;

  const incidents: IncidentStore = {
    kind: 'redis',
    ...backend,
    async add(incident) {
      await scripts.run(
        INCIDENT_ADD,
        [incidentsKey],
        [incident.ts, JSON.stringify(incident), retentionMs, maxIncidents],
      );
    },
    async since(since) {
      if (since > Date.now() + 86_400_000) {
        // The guard's probe: a read that touches nothing.
        await probe();
        return [];
      }
      const rows = (await scripts.run(INCIDENT_SINCE, [incidentsKey], [Math.floor(since)])) as unknown[];
      const out: Incident[] = [];
      for (const row of Array.isArray(rows) ? rows : []) {
        const incident = parseJson<Incident>(row);
        if (incident && typeof incident.ts === 'number' && typeof incident.type === 'string')
          out.push(incident);
      }
      return out;
    },
  };

  const behavior: BehaviorStore = {
    kind: 'redis',
    ...backend,
    async record(input) {
      // One hash tag per client: both keys live on the same Redis Cluster slot.
      const client = `${prefix}:bh:{${keyPart(input.client)}}`;
      const keys = [client];
      if (input.repeatKey) keys.push(`${client}:r:${keyPart(input.repeatKey)}`);
      const reply = (await scripts.run(BEHAVIOR_RECORD, keys, [
        input.historySize,
        Math.max(1, Math.ceil(input.ttlSec)),
        Math.max(1, Math.ceil(input.repeatWindowSec)),
        ...input.entries,
      ])) as [number, string[]];
      return {
        history: Array.isArray(reply?.[1]) ? reply[1] : [],
        ...(input.repeatKey ? { repeats: Number(reply?.[0]) } : {}),
      };
    },
    probe,
  };

  const baselines: BaselineStore = {
    kind: 'redis',
    ...backend,
    async merge(route, delta, maxSamples) {
      const finiteOr = (value: number) => (Number.isFinite(value) ? value : undefined);
      const body: Record<string, unknown> = { ...delta, min: finiteOr(delta.min), max: finiteOr(delta.max) };
      const reply = await scripts.run(
        BASELINE_MERGE,
        [`${prefix}:nb:${keyPart(route)}`],
        [JSON.stringify(body), maxSamples, baselineTtlMs],
      );
      return parseBaselineMoments(parseJson<BaselineMoments>(reply));
    },
    probe,
  };

  const alertKeys = (id: string) => {
    const key = `${prefix}:al:{${keyPart(id.replace(/\u0000/g, '|'))}}`;
    return [key, `${key}:s`];
  };
  const samplesOf = (rows: unknown): Alert['samples'] =>
    (Array.isArray(rows) ? rows : [])
      .map((row) => parseJson<Alert['samples'][number]>(row))
      .filter((row): row is Alert['samples'][number] => typeof row?.type === 'string');

  const alerts: AlertWindowStore = {
    kind: 'redis',
    ...backend,
    async hit(input) {
      const windowMs = input.windowSec * 1000;
      const reply = (await scripts.run(ALERT_HIT, alertKeys(input.id), [
        Math.floor(input.at),
        Math.ceil(windowMs),
        input.threshold,
        JSON.stringify(input.sample),
        Math.ceil(windowMs * 2 + 60_000),
      ])) as [number, string, number, string[]];
      return {
        count: Number(reply[0]),
        start: Number(reply[1]),
        fire: Number(reply[2]) === 1,
        samples: samplesOf(reply[3]),
      };
    },
    async close(id, start) {
      const reply = (await scripts.run(ALERT_CLOSE, alertKeys(id), [Math.floor(start)])) as
        | [string, string, string, string[]]
        | null;
      if (!Array.isArray(reply)) return undefined;
      return {
        count: Number(reply[0]),
        firedAt: Number(reply[1]),
        last: Number(reply[2]),
        samples: samplesOf(reply[3]),
      };
    },
    probe,
  };

  return {
    rate: createRedisStore(client, nodeRedis ? { useRedisPackage: true } : {}),
    nonce: createRedisNonceStore(client, {
      keyPrefix: `${prefix}:jti`,
      ...(nodeRedis ? { useRedisPackage: true } : {}),
    }),
    incidents,
    behavior,
    baselines,
    alerts,
    auditHeads: createRedisAuditHeads(client, { keyPrefix: prefix }),
  };
}

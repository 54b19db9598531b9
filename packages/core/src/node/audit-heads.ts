/**
 * Head records of a fleet kept apart from the logs: in Redis (`createRedisAuditHeads`) or in a folder
 * on another disk or host (`createFileAuditHeads`), fed by `withAuditHeads(sink, heads)`. Each instance's
 * latest head names the last entry it wrote; `ai-shield audit verify --heads` then reports a chain whose
 * files are gone entirely, which no file left behind can show.
 * @module
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditHeadStore, AuditSink } from '../audit/types.js';
import { withTimeout } from '../rate/store-guard.js';

export interface RedisAuditHeadsOptions {
  /** Key namespace. Default `ais` (the hash is `{prefix}:audit:heads`). */
  keyPrefix?: string;
  /** The hash expires this long after the last publish. Default 90 days. */
  ttlSec?: number;
}

type Hash = {
  hset?: (key: string, field: string, value: string) => Promise<unknown>;
  hSet?: (key: string, field: string, value: string) => Promise<unknown>;
  hgetall?: (key: string) => Promise<Record<string, string>>;
  hGetAll?: (key: string) => Promise<Record<string, string>>;
  expire: (key: string, seconds: number) => Promise<unknown>;
};

/**
 * Head records in one Redis hash (instance → head JSON), for ioredis and node-redis clients.
 * @example
 * const heads = createRedisAuditHeads(redis);
 * aiShield(withNodeSinks({ audit: { instance: 'api-1' } }, { heads }));
 */
export function createRedisAuditHeads(client: unknown, options: RedisAuditHeadsOptions = {}): AuditHeadStore {
  const key = `${options.keyPrefix ?? 'ais'}:audit:heads`;
  const ttl = options.ttlSec ?? 90 * 86_400;
  const c = client as Hash;
  const hset = c.hset ?? c.hSet;
  const hgetall = c.hgetall ?? c.hGetAll;
  if (typeof hset !== 'function' || typeof hgetall !== 'function')
    throw new TypeError('createRedisAuditHeads: expected an ioredis or node-redis client');
  return {
    kind: 'redis',
    async publish(instance, line) {
      await hset.call(client, key, instance, line);
      await c.expire.call(client, key, ttl);
    },
    async list() {
      return { ...((await hgetall.call(client, key)) ?? {}) };
    },
  };
}

const safe = (instance: string) => instance.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Head records as one file per instance (`{instance}.json`) in a folder: put it on another disk or
 * host, or ship it, so that whoever can delete the logs cannot also delete these.
 */
export function createFileAuditHeads(dir: string): AuditHeadStore {
  let made: Promise<unknown> | undefined;
  return {
    kind: 'file',
    async publish(instance, line) {
      made ??= mkdir(dir, { recursive: true });
      await made;
      const target = join(dir, `${safe(instance)}.json`);
      // Write then rename: a reader never sees half a record.
      await writeFile(`${target}.tmp`, `${line}\n`);
      await rename(`${target}.tmp`, target);
    },
    async list() {
      const out: Record<string, string> = {};
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return out;
      }
      for (const name of names) {
        if (!name.endsWith('.json')) continue;
        const line = (await readFile(join(dir, name), 'utf8')).trim();
        try {
          const head = JSON.parse(line) as { instance?: unknown };
          if (typeof head.instance === 'string') out[head.instance] = line;
        } catch {}
      }
      return out;
    },
  };
}

export interface AuditHeadsOptions {
  /** Longest wait for one publish. Default 1000 ms. */
  timeoutMs?: number;
  /** Called when a publish fails (it is retried with the next head). */
  onError?: (error: unknown) => void;
}

/**
 * Wraps an audit sink so that every head record it writes is also published to `heads`, off the write
 * path: at most one publish runs at a time and only the newest waiting head is sent (a burst of writes
 * costs one round trip). A failed publish is reported to `onError` and superseded by the next head.
 */
export function withAuditHeads(
  sink: AuditSink,
  heads: AuditHeadStore,
  options: AuditHeadsOptions = {},
): AuditSink {
  const timeoutMs = options.timeoutMs ?? 1000;
  let waiting: { instance: string; line: string } | undefined;
  let running: Promise<void> | undefined;
  const pump = async () => {
    while (waiting) {
      const next = waiting;
      waiting = undefined;
      try {
        await withTimeout(heads.publish(next.instance, next.line), timeoutMs, `${heads.kind} audit heads`);
      } catch (error) {
        options.onError?.(error);
      }
    }
    running = undefined;
  };
  // Delegates through the prototype, so the sink's getters (e.g. FileSink.currentFile) keep working.
  const wrapped = Object.create(sink) as AuditSink;
  wrapped.writeHead = async (line, head) => {
    await sink.writeHead?.(line, head);
    waiting = { instance: head.instance, line };
    running ??= pump();
  };
  wrapped.flush = async () => {
    await sink.flush?.();
    await running;
  };
  wrapped.close = async () => {
    await running;
    await sink.close?.();
  };
  return wrapped;
}

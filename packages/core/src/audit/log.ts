/**
 * The audit log writer: seals records into chained entries and hands them to the sink in batches, one
 * batch at a time, off the request path. Bounded: past `maxQueue` waiting records, new ones are dropped,
 * counted, and the count is written as an `audit.dropped` entry once the sink accepts writes again.
 * A failing sink (full disk) is retried with back-off and reported through `onError`, never thrown.
 *
 * Group commit: records that arrive while a batch is being written wait for the next batch, so one
 * `fdatasync` covers every refusal that arrived during the previous one. A batch holding a `durable`
 * record (a refusal) is written with `sync: true`; after each batch the sink's head record is rewritten.
 * @module
 */

import { canonicalJson, sha256Hex, toHex } from './canonical.js';
import { type ChainHasher, createChainHasher } from './chain.js';
import { createCheckpoint, type Ed25519KeyInput, importEd25519Key } from './checkpoint.js';
import { sha256, utf8Scratch } from './sha256.js';
import { type AuditEntry, type AuditRecord, type AuditSink, type ChainHead, GENESIS_HASH } from './types.js';

export interface AuditLogOptions {
  sink: AuditSink;
  /** Process id written in each entry. */
  instance: string;
  model: string;
  /** HMAC key for the chain (`AI_SHIELD_AUDIT_HMAC_KEY`). */
  hmacKey?: string;
  /** Waiting records beyond which new ones are dropped (and counted). Default 10,000. */
  maxQueue?: number;
  /** Checkpoint every `every` entries or `intervalSec` seconds, whichever comes first; 0 disables either. */
  checkpoints?: { every: number; intervalSec: number; signingKey?: Ed25519KeyInput };
  /** A sink failure (reported once per failure streak) or its recovery. */
  onError?: (error: unknown, info: { failures: number }) => void;
  /** First retry delay after a failed write, doubled up to 30 s. Default 200 ms. */
  retryMs?: number;
}

export interface AuditStats {
  appended: number;
  dropped: number;
  writeFailures: number;
  queued: number;
  checkpoints: number;
}

/** The writer behind `shield` auditing. */
export interface AuditLog {
  /** Queues a record. Resolves with the sealed entry once the sink accepted it, or undefined when dropped. */
  append(record: AuditRecord): Promise<AuditEntry | undefined>;
  /** Resolves when every record queued so far is written and a checkpoint covers it. */
  flush(): Promise<void>;
  /** Flushes, then closes the sink. Later appends are dropped. */
  close(): Promise<void>;
  readonly stats: AuditStats;
}

interface Pending {
  record: AuditRecord;
  resolve(entry: AuditEntry | undefined): void;
}

const BATCH = 256;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms) as { unref?: () => void };
    timer.unref?.();
  });

/**
 * Creates an audit log. Nothing happens until the first append (no work at creation, none at import).
 * @example
 * const log = createAuditLog({ sink: createMemorySink(), instance: 'api-1', model: 'chat' });
 * await log.append({ type: 'incident', data: { type: 'inference_error' } });
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { sink } = options;
  const maxQueue = options.maxQueue ?? 10_000;
  const every = options.checkpoints?.every ?? 0;
  const intervalMs = (options.checkpoints?.intervalSec ?? 0) * 1000;
  const queue: Pending[] = [];
  const stats: AuditStats = { appended: 0, dropped: 0, writeFailures: 0, queued: 0, checkpoints: 0 };
  let ready: Promise<{ hasher: ChainHasher; signingKey?: CryptoKey }> | undefined;
  let head: ChainHead | undefined;
  let checkpointed = -1;
  let lastCheckpointAt = 0;
  let droppedUnrecorded = 0;
  let pumping: Promise<void> | undefined;
  let closed = false;
  let failing = 0;

  const init = () =>
    (ready ??= (async () => {
      const hasher = await createChainHasher(options.hmacKey);
      const signing = options.checkpoints?.signingKey;
      const signingKey = signing ? await importEd25519Key(signing, 'sign') : undefined;
      const state = (await sink.open?.()) ?? {};
      head = state.head;
      checkpointed = head?.seq ?? -1;
      lastCheckpointAt = Date.now();
      const front: AuditRecord[] = [
        {
          type: 'audit.started',
          data: {
            resumedAt: head?.seq ?? null,
            ...(state.resetReason ? { resetReason: state.resetReason } : {}),
          },
        },
      ];
      if (state.repaired) front.push({ type: 'audit.repaired', data: { ...state.repaired } });
      if (state.truncated) front.push({ type: 'audit.truncated', data: { ...state.truncated } });
      queue.unshift(...front.map((record) => ({ record, resolve: () => {} })));
      return { hasher, ...(signingKey ? { signingKey } : {}) };
    })());

  /**
   * Seals a record into the next entry and its line. Serialized once: the canonical JSON is both the
   * hash input and, with `hash` appended, the written line (key order differs from `JSON.stringify`,
   * which readers never relied on: verification re-canonicalizes). Synchronous unless a large body
   * goes to Web Crypto.
   */
  function seal(
    record: AuditRecord,
    hasher: ChainHasher,
    prev: ChainHead | undefined,
  ): { entry: AuditEntry; line: string } | Promise<{ entry: AuditEntry; line: string }> {
    const { bodyText, durable: _durable, ...rest } = record;
    if (bodyText !== undefined && rest.request) {
      // Small bodies hash faster inline; large ones go to Web Crypto (off the main thread in Node).
      if (bodyText.length > 16_384) {
        return sha256Hex(bodyText).then((bodySha256) => {
          rest.request = { ...rest.request!, bodySha256, bodyLength: bodyText.length };
          return sealed(rest, hasher, prev);
        });
      }
      const bodySha256 = toHex(sha256(utf8Scratch(bodyText)));
      rest.request = { ...rest.request, bodySha256, bodyLength: bodyText.length };
    }
    return sealed(rest, hasher, prev);
  }

  function sealed(
    rest: Omit<AuditRecord, 'bodyText' | 'durable'>,
    hasher: ChainHasher,
    prev: ChainHead | undefined,
  ): { entry: AuditEntry; line: string } {
    const unsealed: Omit<AuditEntry, 'hash'> = {
      v: 1,
      seq: prev ? prev.seq + 1 : 0,
      ts: new Date().toISOString(),
      instance: options.instance,
      model: options.model,
      ...rest,
      ...(hasher.kid ? { kid: hasher.kid } : {}),
      prevHash: prev?.hash ?? GENESIS_HASH,
    };
    const canonical = canonicalJson(unsealed);
    const hash = hasher.hashCanonical(canonical);
    const entry = unsealed as AuditEntry;
    entry.hash = hash;
    // canonical ends with "}" and has at least one member: hash is hex, so no escaping is needed.
    return { entry, line: `${canonical.slice(0, -1)},"hash":"${hash}"}` };
  }

  async function checkpoint(force: boolean): Promise<void> {
    const { hasher, signingKey } = await init();
    if (!head || head.seq === checkpointed || !sink.writeCheckpoint) return;
    const due =
      force ||
      (every > 0 && head.seq - checkpointed >= every) ||
      (intervalMs > 0 && Date.now() - lastCheckpointAt >= intervalMs);
    if (!due) return;
    const cp = await createCheckpoint(head, options.instance, hasher, signingKey);
    await sink.writeCheckpoint(JSON.stringify(cp), cp);
    checkpointed = cp.seq;
    lastCheckpointAt = Date.now();
    stats.checkpoints++;
  }

  async function writeHead(hasher: ChainHasher, signingKey: CryptoKey | undefined): Promise<void> {
    if (!head || !sink.writeHead) return;
    try {
      const record = await createCheckpoint(head, options.instance, hasher, signingKey, 'head');
      await sink.writeHead(JSON.stringify(record), record);
    } catch (error) {
      options.onError?.(error, { failures: 1 });
    }
  }

  async function writeBatch(batch: Pending[], hasher: ChainHasher, signingKey?: CryptoKey): Promise<void> {
    let delay = options.retryMs ?? 200;
    const sync = batch.some((item) => item.record.durable === true);
    // Sealed once: a retry sends the same lines, so a sink that kept part of a failed write can skip it.
    const entries: AuditEntry[] = [];
    const lines: string[] = [];
    let prev = head;
    for (const item of batch) {
      const pending = seal(item.record, hasher, prev);
      const { entry, line } = pending instanceof Promise ? await pending : pending;
      entries.push(entry);
      lines.push(line);
      prev = entry;
    }
    for (;;) {
      try {
        await sink.write(lines, entries, { sync });
        head = prev;
        stats.appended += entries.length;
        // Before acknowledging: an acknowledged entry is one the head record covers.
        await writeHead(hasher, signingKey);
        if (failing > 0) {
          options.onError?.(undefined, { failures: failing });
          queue.unshift({
            record: { type: 'audit.recovered', data: { failedWrites: failing } },
            resolve: () => {},
          });
          failing = 0;
        }
        for (const [i, item] of batch.entries()) item.resolve(entries[i]);
        return;
      } catch (error) {
        stats.writeFailures++;
        if (failing++ === 0) options.onError?.(error, { failures: 1 });
        if (closed && failing > 3) {
          stats.dropped += batch.length;
          for (const item of batch) item.resolve(undefined);
          return;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  async function pump(): Promise<void> {
    const { hasher, signingKey } = await init();
    while (queue.length > 0) {
      if (droppedUnrecorded > 0) {
        queue.unshift({
          record: { type: 'audit.dropped', data: { count: droppedUnrecorded } },
          resolve: () => {},
        });
        droppedUnrecorded = 0;
      }
      const batch = queue.splice(0, BATCH);
      stats.queued = queue.length;
      await writeBatch(batch, hasher, signingKey);
      try {
        await checkpoint(false);
      } catch (error) {
        options.onError?.(error, { failures: 1 });
      }
    }
  }

  const kick = (): Promise<void> => {
    if (!pumping) {
      pumping = pump()
        .catch((error) => {
          // open() failed: the sink is unusable for now; retry on the next append.
          ready = undefined;
          stats.writeFailures++;
          options.onError?.(error, { failures: 1 });
        })
        .finally(() => {
          pumping = undefined;
          if (queue.length > 0 && !closed && ready) void kick();
        });
    }
    return pumping;
  };

  function append(record: AuditRecord): Promise<AuditEntry | undefined> {
    if (closed || queue.length >= maxQueue) {
      stats.dropped++;
      droppedUnrecorded++;
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      queue.push({ record, resolve });
      stats.queued = queue.length;
      void kick();
    });
  }

  async function flush(): Promise<void> {
    if (!ready && queue.length === 0) return;
    while (pumping || queue.length > 0) {
      await (pumping ?? kick());
      if (!ready) return; // The sink could not be opened: already reported through onError.
    }
    await checkpoint(true);
    await sink.flush?.();
  }

  async function close(): Promise<void> {
    if (closed) return;
    // From here on appends are dropped and a failing sink is given up on after a few retries.
    closed = true;
    try {
      await flush();
    } finally {
      for (const item of queue.splice(0)) item.resolve(undefined);
      await sink.close?.();
    }
  }

  return { append, flush, close, stats };
}

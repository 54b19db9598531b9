/**
 * Reads a request body with a byte cap, a time limit and a minimum rate, for adapters whose framework
 * has not parsed it. Stops at the cap so that a 50 MB body costs at most `maxBytes` of memory, and gives
 * up on a body that trickles in (issue 13: one byte per second held a socket for Node's 300 s default at
 * ~190 B per chunk), so that the pipeline answers 408 and the socket is closed.
 * @module
 */

export interface BodyText {
  text: string;
  /** Bytes read (up to the cap, plus the chunk that crossed it). */
  size: number;
  /** True when the body was larger than `maxBytes`; `text` is then empty. */
  truncated: boolean;
  /** Set when the read was abandoned for time (`text` is then empty): see {@link BodyTimeouts}. */
  timedOut?: BodyTimeoutReason;
}

/** `timeout`: not complete within `timeoutMs`; `too_slow`: below `minBytesPerSec` after the grace. */
export type BodyTimeoutReason = 'timeout' | 'too_slow';

/** Time limits of a body read (`validation.bodyTimeoutMs` / `validation.minBodyBytesPerSec`). */
export interface BodyTimeouts {
  /** The whole body must arrive within this many ms of the start of the read; 0: no limit. */
  timeoutMs: number;
  /**
   * After the first `graceMs`, at least this many bytes per second must have arrived on average since
   * then; 0: no minimum.
   */
  minBytesPerSec: number;
  /** Time a slow start is forgiven before the rate counts. Default {@link BODY_RATE_GRACE_MS}. */
  graceMs?: number;
}

/** Defaults of `validation.bodyTimeoutMs` and `validation.minBodyBytesPerSec`. */
export const DEFAULT_BODY_TIMEOUTS: Readonly<BodyTimeouts> = Object.freeze({
  timeoutMs: 30_000,
  minBytesPerSec: 1024,
});

/** The body time limits of a policy's validation options. */
export function bodyTimeouts(validation: {
  bodyTimeoutMs: number;
  minBodyBytesPerSec: number;
}): BodyTimeouts {
  return { timeoutMs: validation.bodyTimeoutMs, minBytesPerSec: validation.minBodyBytesPerSec };
}

/** Time a slow start is forgiven (a client preparing its upload, TCP slow start) before the rate counts. */
export const BODY_RATE_GRACE_MS = 5000;
/** How often a read in progress is checked against the limits. */
const CHECK_EVERY_MS = 500;

/** The verdict on a read in progress after `elapsedMs` with `received` bytes, or undefined to go on. */
export function bodyPace(
  limits: BodyTimeouts,
  elapsedMs: number,
  received: number,
): BodyTimeoutReason | undefined {
  if (limits.timeoutMs > 0 && elapsedMs >= limits.timeoutMs) return 'timeout';
  const grace = limits.graceMs ?? BODY_RATE_GRACE_MS;
  if (
    limits.minBytesPerSec > 0 &&
    elapsedMs > grace &&
    received < (limits.minBytesPerSec * (elapsedMs - grace)) / 1000
  ) {
    return 'too_slow';
  }
  return undefined;
}

interface PaceWatch {
  limits: BodyTimeouts;
  started: number;
  received: () => number;
  onExpired: (reason: BodyTimeoutReason) => void;
}

/**
 * One clock for every body read in progress (issue 15: a timer per request was a measurable share of a
 * request's cost and of its garbage). Created with the first read, never at import; it stops itself
 * on the first tick that finds no read in progress, so at most one timer is alive, and under steady
 * traffic it is never recreated. It ticks at the shortest period any read asked for.
 */
let clock:
  | {
      watches: Set<PaceWatch>;
      timer: ReturnType<typeof setInterval> | undefined;
      every: number;
      lastTick: number;
    }
  | undefined;

function tick(): void {
  const c = clock!;
  const now = Date.now();
  c.lastTick = now;
  for (const watch of c.watches) {
    const reason = bodyPace(watch.limits, now - watch.started, watch.received());
    if (reason) {
      c.watches.delete(watch);
      watch.onExpired(reason);
    }
  }
  if (c.watches.size === 0 && c.timer !== undefined) {
    clearInterval(c.timer);
    c.timer = undefined;
    c.every = Number.POSITIVE_INFINITY;
  }
}

/**
 * Checks a read in progress every {@link CHECK_EVERY_MS} (one shared clock for all reads, none per
 * chunk or per request) and calls `onExpired` once when it breaks a limit. `stop()` must be called when
 * the read ends.
 */
export function watchBodyPace(
  limits: BodyTimeouts,
  received: () => number,
  onExpired: (reason: BodyTimeoutReason) => void,
): { stop(): void } {
  if (limits.timeoutMs <= 0 && limits.minBytesPerSec <= 0) return { stop() {} };
  const now = Date.now();
  const every = limits.timeoutMs > 0 ? Math.min(CHECK_EVERY_MS, limits.timeoutMs) : CHECK_EVERY_MS;
  clock ??= { watches: new Set(), timer: undefined, every: Number.POSITIVE_INFINITY, lastTick: 0 };
  const c = clock;
  const watch: PaceWatch = { limits, started: now, received, onExpired };
  c.watches.add(watch);
  // A clock that stopped ticking (its timer cleared from outside, e.g. by a test's fake timers) or
  // ticks too slowly for this read is replaced.
  const stale = c.timer !== undefined && now - c.lastTick > c.every * 3;
  if (c.timer === undefined || every < c.every || stale) {
    if (c.timer !== undefined) clearInterval(c.timer);
    c.every = every;
    c.lastTick = now;
    c.timer = setInterval(tick, every);
    (c.timer as { unref?: () => void }).unref?.();
  }
  return { stop: () => c.watches.delete(watch) };
}

/**
 * Waits for a whole-body read that cannot be watched chunk by chunk (a framework's cached `text()`)
 * within `limits`. With a declared length the minimum rate becomes a deadline: the body must be complete
 * within the grace plus `declaredBytes / minBytesPerSec`. Resolves with the text, or with the reason the
 * wait was abandoned (the read's later outcome is then ignored).
 * @example
 * const text = await awaitBody(c.req.text(), bodyTimeouts(options.validation), declared);
 * if (typeof text !== 'string') request.bodyTimedOut = text.timedOut;
 */
export function awaitBody(
  read: Promise<string>,
  limits: BodyTimeouts,
  declaredBytes: number,
): Promise<string | { timedOut: BodyTimeoutReason }> {
  const total = limits.timeoutMs > 0 ? limits.timeoutMs : Number.POSITIVE_INFINITY;
  const paced =
    limits.minBytesPerSec > 0
      ? (limits.graceMs ?? BODY_RATE_GRACE_MS) + (declaredBytes * 1000) / limits.minBytesPerSec
      : Number.POSITIVE_INFINITY;
  const deadline = Math.min(total, paced);
  if (deadline === Number.POSITIVE_INFINITY) return read;
  // On the shared body clock (no timer per request): the deadline is met within its tick.
  let watch: { stop(): void } | undefined;
  const expiry = new Promise<{ timedOut: BodyTimeoutReason }>((resolve) => {
    watch = watchBodyPace(
      { timeoutMs: deadline, minBytesPerSec: 0 },
      () => 0,
      () => {
        read.catch(() => {});
        resolve({ timedOut: deadline === total ? 'timeout' : 'too_slow' });
      },
    );
  });
  return Promise.race([read, expiry]).finally(() => watch?.stop());
}

type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream).getReader === 'function';
}

function decode(chunks: Uint8Array[], size: number): string {
  if (chunks.length === 0) return '';
  const decoder = new TextDecoder('utf-8');
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(joined);
}

/**
 * Reads `source` as UTF-8 text, giving up (without buffering the rest) once `maxBytes` is exceeded, or
 * when `limits` are broken (a `ReadableStream` is then cancelled; an async iterable is returned from).
 * @example
 * const { text, truncated, timedOut } = await readBodyText(request.body, 1_000_000, DEFAULT_BODY_TIMEOUTS);
 */
export async function readBodyText(
  source: ByteSource,
  maxBytes: number,
  limits?: BodyTimeouts,
): Promise<BodyText> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let expired: BodyTimeoutReason | undefined;
  let wake: (() => void) | undefined;
  // Resolves with undefined when a limit is broken, ending the race with a pending read.
  const expiry = new Promise<undefined>((resolve) => {
    wake = () => resolve(undefined);
  });
  const pace = limits
    ? watchBodyPace(
        limits,
        () => size,
        (reason) => {
          expired = reason;
          wake?.();
        },
      )
    : undefined;
  const iterator = isReadableStream(source) ? undefined : source[Symbol.asyncIterator]();
  const reader = isReadableStream(source) ? source.getReader() : undefined;
  // Not awaited: cancelling one branch of a tee (a cloned Request body) settles only once the other
  // branch is cancelled too. The adapter answers with `Connection: close`, which ends the rest.
  const stop = () => void (reader ? reader.cancel() : iterator!.return?.())?.catch(() => {});
  try {
    for (;;) {
      const next = reader ? reader.read() : iterator!.next();
      const step = pace ? await Promise.race([next, expiry]) : await next;
      if (step === undefined || expired) {
        // Do not leave the pending read unhandled when the source errors later.
        next.catch(() => {});
        stop();
        return { text: '', size, truncated: false, timedOut: expired ?? 'timeout' };
      }
      if (step.done) break;
      size += step.value.byteLength;
      if (size > maxBytes) {
        stop();
        return { text: '', size, truncated: true };
      }
      chunks.push(step.value);
    }
  } finally {
    pace?.stop();
    reader?.releaseLock();
  }
  return { text: decode(chunks, size), size, truncated: false };
}

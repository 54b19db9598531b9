/**
 * Alert windows shared by a fleet: every instance counts a group's incidents in one place, exactly one
 * instance is told to send the threshold alert, and that one sends the aggregate when the window ends.
 * Without it each instance alerts on its own share of an attack (duplicates, or none when the share
 * stays under the threshold).
 * @module
 */
import type { Alert } from './types.js';

/** One incident counted against a rule's group. */
export interface AlertHitInput {
  /** Rule name and group key. */
  id: string;
  /** Epoch ms of the incident. */
  at: number;
  windowSec: number;
  threshold: number;
  /** A compacted incident, kept (up to five per window) for the alert's samples. */
  sample: Alert['samples'][number];
}

/** The group's window after this incident. */
export interface AlertHitResult {
  count: number;
  /** Epoch ms the window started (the first incident's time). */
  start: number;
  /** True for exactly one caller: the one whose incident reached the threshold. */
  fire: boolean;
  /** Filled when `fire`: the window's first samples. */
  samples: Alert['samples'];
}

/** The shared state of the alert windows. */
export interface AlertWindowStore {
  /** `redis`, ... shown in failures. */
  readonly kind: string;
  /** The connection behind the store (see `RateStore.backend`). */
  readonly backend?: object;
  /** Counts one incident (a window older than `windowSec` starts over); atomic. */
  hit(input: AlertHitInput): Promise<AlertHitResult>;
  /**
   * At the end of a window: its final count, time of the last incident and samples, or undefined when
   * the window was already replaced by a newer one.
   */
  close(
    id: string,
    start: number,
  ): Promise<{ count: number; firedAt: number; last: number; samples: Alert['samples'] } | undefined>;
  /** A side-effect-free call to find out whether the store answers again. */
  probe(): Promise<unknown>;
}

/**
 * Alert windows in memory (several shields in one process or isolate, and tests); the same rules as the
 * Redis script: a window older than `windowSec` starts over, the incident that reaches the threshold
 * fires, at most five samples are kept. At most `maxGroups` windows (oldest dropped).
 */
export function createMemoryAlertWindowStore(options: { maxGroups?: number } = {}): AlertWindowStore {
  const maxGroups = options.maxGroups ?? 10_000;
  const windows = new Map<
    string,
    { start: number; count: number; fired: number; last: number; samples: Alert['samples'] }
  >();
  return {
    kind: 'memory',
    async hit({ id, at, windowSec, threshold, sample }) {
      let window = windows.get(id);
      if (!window || at - window.start >= windowSec * 1000) {
        window = { start: at, count: 0, fired: 0, last: at, samples: [] };
        windows.delete(id);
        windows.set(id, window);
        if (windows.size > maxGroups) windows.delete(windows.keys().next().value as string);
      }
      window.count += 1;
      if (at > window.last) window.last = at;
      if (window.samples.length < 5) window.samples.push(sample);
      const fire = window.fired === 0 && window.count >= threshold;
      if (fire) window.fired = window.count;
      return { count: window.count, start: window.start, fire, samples: fire ? [...window.samples] : [] };
    },
    async close(id, start) {
      const window = windows.get(id);
      if (!window || window.start !== start) return undefined;
      return { count: window.count, firedAt: window.fired, last: window.last, samples: [...window.samples] };
    },
    async probe() {
      return true;
    },
  };
}

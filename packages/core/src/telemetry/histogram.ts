/**
 * Fixed-bucket histograms (Prometheus' model): a count per upper bound plus sum and count. Values are
 * recorded as integers in `1/unit` steps (microseconds for durations, thousandths for scores): small
 * integers travel unboxed in V8, where a fractional double passed to a function is boxed in a fresh heap
 * number on every call. Recording is a short scan of the bounds; nothing is allocated.
 * @module
 */

export interface FixedHistogram {
  /** Upper bounds, in the histogram's natural unit (seconds, score). */
  readonly bounds: readonly number[];
  /** How many recorded steps make one natural unit (1e6: microseconds per second). */
  readonly unit: number;
  /** Records `steps` (an integer: the value times `unit`, rounded). */
  record(steps: number): void;
  /** Per-bucket counts (not cumulative); the last entry counts values above every bound. */
  counts(): number[];
  /** Sum of the values, in the natural unit. */
  readonly sum: number;
  readonly count: number;
}

export function createHistogram(bounds: readonly number[], unit: number): FixedHistogram {
  const limits = Int32Array.from(bounds, (bound) => Math.round(bound * unit));
  const buckets = new Float64Array(bounds.length + 1);
  // Sum and count in a typed array: a number kept in a closure variable is re-boxed on every update.
  const totals = new Float64Array(2);
  return {
    bounds,
    unit,
    record(steps: number) {
      let i = 0;
      while (i < limits.length && steps > limits[i]!) i++;
      buckets[i]!++;
      totals[0]! += steps;
      totals[1]!++;
    },
    counts: () => Array.from(buckets),
    get sum() {
      return totals[0]! / unit;
    },
    get count() {
      return totals[1]!;
    },
  };
}

/** Stage durations, in seconds (10 µs .. 1 s), recorded in microseconds. */
export const DURATION_BOUNDS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1,
] as const;
export const MICROSECONDS = 1_000_000;

/** Risk scores and budget shares, 0..1 in tenths, recorded in thousandths. */
export const UNIT_BOUNDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;
export const THOUSANDTHS = 1000;

/**
 * Sharing the numeric baselines of a fleet: each instance learns locally and, every few samples or
 * seconds, merges what it learned since into the shared moments (Chan et al.'s parallel form of
 * Welford's update, so merging is exact and order-free) and takes the fleet's moments back. A baseline
 * is then learned once for every instance, and a warm-up completes across them.
 *
 * What is merged: the sample count, observed min/max, and the running mean/variance of the four O(1)
 * features (norm, roughness, curvature, spike ratio). The shape decision and per-feature statistics stay
 * per instance (they are large and only used once a route's shape is fixed).
 * @module
 */

/** Running moments of one feature (Welford). */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
}

/** What one route's baseline shares. */
export interface BaselineMoments {
  samples: number;
  min: number;
  max: number;
  rms: Moments;
  rough: Moments;
  curv: Moments;
  spike: Moments;
}

/** Shared baseline moments per route. */
export interface BaselineStore {
  /** `redis`, ... shown in failures. */
  readonly kind: string;
  /** The connection behind the store (see `RateStore.backend`). */
  readonly backend?: object;
  /**
   * Adds `delta` to the route's shared moments atomically (counts capped at `maxSamples`, so that the
   * baseline keeps following drift) and returns the result. A delta of zero samples only reads.
   */
  merge(route: string, delta: BaselineMoments, maxSamples: number): Promise<BaselineMoments>;
  /** A side-effect-free call to find out whether the store answers again. */
  probe(): Promise<unknown>;
}

export const FEATURES = ['rms', 'rough', 'curv', 'spike'] as const;

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0 };
}

export function emptyBaselineMoments(): BaselineMoments {
  return {
    samples: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    rms: emptyMoments(),
    rough: emptyMoments(),
    curv: emptyMoments(),
    spike: emptyMoments(),
  };
}

/**
 * Chan et al.'s pairwise merge of two sets of moments; past `cap` samples the count is held at `cap`
 * and `m2` scaled with it (the variance is kept), like the capped update of `pushRunning`.
 */
export function mergeMoments(a: Moments, b: Moments, cap = Number.POSITIVE_INFINITY): Moments {
  if (b.n === 0) return { ...a };
  if (a.n === 0) return capMoments({ ...b }, cap);
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  const mean = a.mean + (delta * b.n) / n;
  const m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  return capMoments({ n, mean, m2 }, cap);
}

function capMoments(m: Moments, cap: number): Moments {
  if (m.n > cap && cap > 1) {
    m.m2 = (m.m2 * (cap - 1)) / (m.n - 1);
    m.n = cap;
  }
  return m;
}

/** Merges two baselines' moments (see {@link mergeMoments}). */
export function mergeBaselineMoments(
  a: BaselineMoments,
  b: BaselineMoments,
  cap = Number.POSITIVE_INFINITY,
): BaselineMoments {
  return {
    samples: a.samples + b.samples,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    rms: mergeMoments(a.rms, b.rms, cap),
    rough: mergeMoments(a.rough, b.rough, cap),
    curv: mergeMoments(a.curv, b.curv, cap),
    spike: mergeMoments(a.spike, b.spike, cap),
  };
}

const finite = (value: unknown, fallback: number): number =>
  typeof value === 'number' && !Number.isNaN(value) ? value : fallback;

/** Reads moments back from a store, defensively (a malformed record counts as empty). */
export function parseBaselineMoments(value: unknown): BaselineMoments {
  const out = emptyBaselineMoments();
  if (typeof value !== 'object' || value === null) return out;
  const v = value as Record<string, unknown>;
  out.samples = Math.max(0, finite(v.samples, 0));
  out.min = finite(v.min, Number.POSITIVE_INFINITY);
  out.max = finite(v.max, Number.NEGATIVE_INFINITY);
  for (const key of FEATURES) {
    const m = v[key] as Record<string, unknown> | undefined;
    if (typeof m !== 'object' || m === null) continue;
    const n = Math.max(0, finite(m.n, 0));
    out[key] = { n, mean: n > 0 ? finite(m.mean, 0) : 0, m2: n > 0 ? Math.max(0, finite(m.m2, 0)) : 0 };
  }
  return out;
}

/**
 * The baseline store in memory (several shields in one process or isolate, and tests); the same merge as
 * the Redis script.
 */
export function createMemoryBaselineStore(options: { maxRoutes?: number } = {}): BaselineStore {
  const maxRoutes = options.maxRoutes ?? 1024;
  const routes = new Map<string, BaselineMoments>();
  return {
    kind: 'memory',
    async merge(route, delta, maxSamples) {
      const merged = mergeBaselineMoments(routes.get(route) ?? emptyBaselineMoments(), delta, maxSamples);
      routes.delete(route);
      routes.set(route, merged);
      if (routes.size > maxRoutes) routes.delete(routes.keys().next().value as string);
      return parseBaselineMoments(JSON.parse(JSON.stringify(merged)));
    },
    async probe() {
      return true;
    },
  };
}

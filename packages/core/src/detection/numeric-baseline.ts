/**
 * Streaming per-route statistics of numeric payloads, used to spot statistical outliers (seed 000:
 * "adversarial pattern detection", "gradient analysis").
 *
 * State lives in memory, per process (per isolate on Workers). With `shared` (`stores.baselines`, e.g.
 * Redis) the running moments are merged across instances in the background (baseline-store.ts); the
 * request path never waits for the store. Memory is bounded: at most `maxRoutes` routes (least recently used evicted), each with a few
 * running moments plus `2 * maxFeatures` doubles for per-feature statistics.
 * @module
 */
import { AiShieldConfigError } from '../errors.js';
import { createStoreGuard, type StoreGuard } from '../rate/store-guard.js';
import type { Finding } from '../types.js';
import {
  type BaselineMoments,
  type BaselineStore,
  emptyBaselineMoments,
  mergeBaselineMoments,
} from './baseline-store.js';
import {
  createRunning,
  fmt,
  makeFinding,
  maxScore,
  pushRunning,
  type Running,
  safeLog,
  scoreFromRatio,
  stdRunning,
} from './numeric-stats.js';
import { forEachLeaf, type NumericSummary } from './numeric-walk.js';

/** Options of {@link createNumericBaseline}. */
export interface NumericBaselineOptions {
  /** Samples learned per route before it scores anything. Default `50`. */
  warmup?: number;
  /** |z| at which norm, roughness and spike statistics flag (score 0.6; 0.9 at twice). Default `4`. */
  zThreshold?: number;
  /** |z| for single features; higher because hundreds of features are tested at once. Default `6`. */
  featureZThreshold?: number;
  /** Values beyond the observed min..max by this share of the observed range are outliers. Default `0.5`. */
  rangeTolerance?: number;
  /** Largest fixed shape (in values) that gets per-feature statistics. Default `2048`. */
  maxFeatures?: number;
  /** Routes kept; the least recently used is forgotten beyond. Default `64`. */
  maxRoutes?: number;
  /** Score of a shape change after warm-up. Default `0.6` (flags, does not block on its own). */
  shapeChangeScore?: number;
  /** Samples scoring at or above this are not learned, so attacks cannot drag the baseline. Default `0.5`. */
  learnBelow?: number;
  /** Past this many samples the statistics become exponentially weighted (follows drift). Default `10_000`. */
  maxSamples?: number;
  /** Shared moments (`stores.baselines`): merged in the background every `syncEvery` samples or `syncMs`. */
  shared?: BaselineStore;
  /** @internal The shield's guard of `shared`. */
  sharedGuard?: StoreGuard;
  /** Longest wait for one merge, ms. Default `250`. */
  storeTimeoutMs?: number;
  /** Samples learned locally before they are merged. Default `16`. */
  syncEvery?: number;
  /** Longest time between merges (also how soon other instances' samples arrive), ms. Default `2000`. */
  syncMs?: number;
  /** Clock, ms (tests). Default `Date.now`. */
  now?: () => number;
}

/** Read-only view of one route's baseline, for tests, dashboards and debugging. */
export interface NumericBaselineStats {
  samples: number;
  /** Established shape key (`28x28`); `null` when shapes vary; `undefined` during warm-up. */
  shape: string | null | undefined;
  /** Mean and standard deviation of the L2 norm divided by sqrt(number of values). */
  rms: { mean: number; std: number };
  min: number;
  max: number;
  /** Samples behind the per-feature statistics (0 when the shape is not fixed or too large). */
  featureSamples: number;
}

/** Per-route running statistics. Create one per shield with {@link createNumericBaseline}. */
export interface NumericBaseline {
  /**
   * Scores `summary` (and, for fixed shapes, each value of `tensor`) against the route's baseline, then
   * learns it when its score and `priorScore` stay below `learnBelow`. Never throws on request data.
   * Finding locations, when present, are relative to the tensor (`[2][5]`).
   */
  evaluate(
    route: string,
    summary: NumericSummary,
    tensor: unknown,
    priorScore?: number,
  ): { score: number; findings: Finding[] };
  stats(route: string): NumericBaselineStats | undefined;
  /** Forgets one route, or all of them. */
  reset(route?: string): void;
  /** Number of routes currently tracked. */
  readonly size: number;
}

interface FeatureStats {
  key: string;
  n: number;
  mean: Float64Array;
  m2: Float64Array;
}

interface RouteState {
  samples: number;
  rms: Running;
  rough: Running;
  curv: Running;
  spike: Running;
  min: number;
  max: number;
  /** Shape frequencies during warm-up only (at most 8 distinct keys). */
  shapes: Map<string, number> | undefined;
  shape: string | null | undefined;
  feat: FeatureStats | undefined;
  /** Samples counted in `shapes` (local, even when `samples` includes other instances'). */
  shapeSamples: number;
  /** Shared mode: moments learned here since the last merge started, and the merge in flight. */
  pending: BaselineMoments | undefined;
  inflight: boolean;
  syncedAt: number;
}

type Checked = Required<
  Omit<NumericBaselineOptions, 'shared' | 'sharedGuard' | 'storeTimeoutMs' | 'syncEvery' | 'syncMs' | 'now'>
>;

function check(options: NumericBaselineOptions): Checked {
  const resolved = {
    warmup: options.warmup ?? 50,
    zThreshold: options.zThreshold ?? 4,
    featureZThreshold: options.featureZThreshold ?? 6,
    rangeTolerance: options.rangeTolerance ?? 0.5,
    maxFeatures: options.maxFeatures ?? 2048,
    maxRoutes: options.maxRoutes ?? 64,
    shapeChangeScore: options.shapeChangeScore ?? 0.6,
    learnBelow: options.learnBelow ?? 0.5,
    maxSamples: options.maxSamples ?? 10_000,
  };
  const issues: string[] = [];
  for (const key of ['warmup', 'maxFeatures', 'maxRoutes', 'maxSamples'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      issues.push(`numericBaseline.${key} must be a positive integer (got ${resolved[key]})`);
    }
  }
  for (const key of ['zThreshold', 'featureZThreshold', 'rangeTolerance'] as const) {
    if (!(resolved[key] > 0 && Number.isFinite(resolved[key]))) {
      issues.push(`numericBaseline.${key} must be a positive number (got ${resolved[key]})`);
    }
  }
  for (const key of ['shapeChangeScore', 'learnBelow'] as const) {
    if (!(resolved[key] >= 0 && resolved[key] <= 1)) {
      issues.push(`numericBaseline.${key} must be between 0 and 1 (got ${resolved[key]})`);
    }
  }
  if (resolved.maxSamples < resolved.warmup) issues.push('numericBaseline.maxSamples must be >= warmup');
  if (issues.length > 0) throw new AiShieldConfigError(issues);
  return resolved;
}

function newRoute(): RouteState {
  return {
    samples: 0,
    rms: createRunning(),
    rough: createRunning(),
    curv: createRunning(),
    spike: createRunning(),
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    shapes: new Map(),
    shape: undefined,
    feat: undefined,
    shapeSamples: 0,
    pending: undefined,
    inflight: false,
    syncedAt: Number.NEGATIVE_INFINITY,
  };
}

/** Turns a flat feature index into `[i][j]...` for the given shape (only for messages). */
function indexPath(flat: number, shape: readonly number[]): string {
  let out = '';
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d] || 1;
    out = `[${rest % dim}]${out}`;
    rest = Math.floor(rest / dim);
  }
  return out;
}

/** The four O(1) features of a sample, log-scaled where skewed; undefined when not defined. */
function features(s: NumericSummary) {
  const meanJump = s.jumps > 0 ? s.jumpSum / s.jumps : undefined;
  return {
    // Norm per sqrt(n): for a fixed shape it is the L2 norm up to a constant, so z-scores are identical,
    // and it stays comparable on routes whose lengths vary.
    rms: s.norm / Math.sqrt(s.finite),
    rough: meanJump === undefined ? undefined : safeLog(meanJump),
    curv: s.curvs > 0 ? safeLog(s.curvSum / s.curvs) : undefined,
    // A ratio needs enough jumps to mean anything; 8 is the smallest row that makes a spike stand out.
    spike: meanJump !== undefined && meanJump > 0 && s.jumps >= 8 ? safeLog(s.maxJump / meanJump) : undefined,
  };
}

/**
 * Creates per-route numeric baselines: Welford mean/variance of the norm, neighbour roughness,
 * curvature and spike ratio, observed min/max, the established shape, and per-feature mean/variance
 * when the shape is fixed and at most `maxFeatures` values. Nothing is scored during the first `warmup`
 * samples of a route; warm-up assumes mostly benign traffic (document this to operators).
 *
 * Findings after warm-up: `numeric.outlier` (norm z-score, or values far outside the observed range),
 * `numeric.roughness` (high-frequency noise, typical of FGSM-like sign perturbations), `numeric.spike`,
 * `numeric.feature_outlier` and `numeric.shape_change` (shape differs from one held by >= 90% of warm-up
 * samples). Z-score findings score 0.6 at the threshold and 0.9 at twice it.
 *
 * @example
 * const baseline = createNumericBaseline({ warmup: 50, zThreshold: 4 });
 * analyzeNumericInput(body.input, { baseline, route: '/v1/predict' });
 */
export function createNumericBaseline(options: NumericBaselineOptions = {}): NumericBaseline {
  const o = check(options);
  const routes = new Map<string, RouteState>();
  const shared = options.shared;
  const sharedGuard = shared ? (options.sharedGuard ?? createStoreGuard(shared.kind)) : undefined;
  const storeTimeoutMs = options.storeTimeoutMs ?? 250;
  const syncEvery = options.syncEvery ?? 16;
  const syncMs = options.syncMs ?? 2000;
  const clock = options.now ?? Date.now;

  const zFinding = (
    kind: string,
    value: number | undefined,
    r: Running,
    floor: number,
    twoSided: boolean,
    describe: (z: number) => string,
    out: Finding[],
  ): void => {
    if (value === undefined || r.n < 2) return;
    const z = (value - r.mean) / Math.max(stdRunning(r), floor);
    const magnitude = twoSided ? Math.abs(z) : z;
    if (magnitude >= o.zThreshold) {
      out.push(makeFinding(kind, scoreFromRatio(magnitude / o.zThreshold), describe(z)));
    }
  };

  const decideShape = (st: RouteState): void => {
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of st.shapes ?? []) {
      if (count > bestCount) [best, bestCount] = [key, count];
    }
    st.shape = best !== undefined && bestCount >= 0.9 * st.shapeSamples ? best : null;
    st.shapes = undefined;
    if (st.feat && st.feat.key !== st.shape) st.feat = undefined;
  };

  const learn = (st: RouteState, s: NumericSummary, tensor: unknown): void => {
    const f = features(s);
    pushRunning(st.rms, f.rms, o.maxSamples);
    if (f.rough !== undefined) pushRunning(st.rough, f.rough, o.maxSamples);
    if (f.curv !== undefined) pushRunning(st.curv, f.curv, o.maxSamples);
    if (f.spike !== undefined) pushRunning(st.spike, f.spike, o.maxSamples);
    if (s.min < st.min) st.min = s.min;
    if (s.max > st.max) st.max = s.max;
    st.samples += 1;
    if (shared) {
      const p = (st.pending ??= emptyBaselineMoments());
      pushRunning(p.rms, f.rms);
      if (f.rough !== undefined) pushRunning(p.rough, f.rough);
      if (f.curv !== undefined) pushRunning(p.curv, f.curv);
      if (f.spike !== undefined) pushRunning(p.spike, f.spike);
      if (s.min < p.min) p.min = s.min;
      if (s.max > p.max) p.max = s.max;
      p.samples += 1;
    }
    if (st.shapes) {
      st.shapeSamples += 1;
      const seen = st.shapes.get(s.shapeKey);
      if (seen !== undefined || st.shapes.size < 8) st.shapes.set(s.shapeKey, (seen ?? 0) + 1);
    }
    const fixedOrCandidate = st.shape === undefined ? (st.feat?.key ?? s.shapeKey) : st.shape;
    if (typeof fixedOrCandidate === 'string' && s.shapeKey === fixedOrCandidate && s.count <= o.maxFeatures) {
      st.feat ??= {
        key: s.shapeKey,
        n: 0,
        mean: new Float64Array(s.count),
        m2: new Float64Array(s.count),
      };
      const feat = st.feat;
      // Same update as pushRunning, inlined over typed arrays: Welford, then exponentially weighted.
      const capped = feat.n >= o.maxSamples && feat.n > 1;
      const n = capped ? feat.n : feat.n + 1;
      forEachLeaf(tensor, 16, s.count * 2 + 16, (i, v) => {
        if (i >= feat.mean.length) return;
        const mean = feat.mean[i]!;
        const delta = v - mean;
        feat.mean[i] = mean + delta / n;
        feat.m2[i] = capped
          ? (1 - 1 / n) * (feat.m2[i]! / (n - 1) + (delta * delta) / n) * (n - 1)
          : feat.m2[i]! + delta * (v - feat.mean[i]!);
      });
      feat.n = n;
    }
    // Shared moments may complete the warm-up before this instance saw many shapes: wait for a few.
    if (st.shape === undefined && st.samples >= o.warmup && st.shapeSamples >= Math.min(o.warmup, 10))
      decideShape(st);
  };

  /**
   * Shared mode: merges what this instance learned since the last merge into the store, in the
   * background, and adopts the fleet's moments plus whatever was learned meanwhile. A failed merge keeps
   * the delta for the next one; the local moments stand in the meantime (insurance).
   */
  const sync = (route: string, st: RouteState): void => {
    if (!shared || st.inflight) return;
    const at = clock();
    const pendingSamples = st.pending?.samples ?? 0;
    if (pendingSamples < syncEvery && at - st.syncedAt < syncMs) return;
    const delta = st.pending ?? emptyBaselineMoments();
    st.pending = undefined;
    st.inflight = true;
    st.syncedAt = at;
    sharedGuard!
      .call(
        () => shared.merge(route, delta, o.maxSamples),
        () => shared.probe(),
        storeTimeoutMs,
      )
      .then(
        (merged) => {
          const fleet = st.pending ? mergeBaselineMoments(merged, st.pending, o.maxSamples) : merged;
          st.samples = Math.max(st.samples, fleet.samples);
          st.min = Math.min(st.min, fleet.min);
          st.max = Math.max(st.max, fleet.max);
          st.rms = { ...fleet.rms };
          st.rough = { ...fleet.rough };
          st.curv = { ...fleet.curv };
          st.spike = { ...fleet.spike };
        },
        () => {
          st.pending = st.pending ? mergeBaselineMoments(delta, st.pending) : delta;
        },
      )
      .finally(() => {
        st.inflight = false;
      });
  };

  const scoreWarm = (st: RouteState, s: NumericSummary, tensor: unknown, out: Finding[]): void => {
    const f = features(s);
    const expectedNorm = (mean: number) => fmt(mean * Math.sqrt(s.finite));
    zFinding(
      'numeric.outlier',
      f.rms,
      st.rms,
      0.01 * Math.abs(st.rms.mean) + 1e-9,
      true,
      (z) =>
        `L2 norm ${fmt(s.norm)} is ${fmt(z)} standard deviations from this route's usual ${expectedNorm(st.rms.mean)}`,
      out,
    );
    // Log-space floor 0.05: a 5% change in roughness is never an outlier, even on a very steady route.
    zFinding(
      'numeric.roughness',
      f.rough,
      st.rough,
      0.05,
      false,
      (z) =>
        `neighbour differences are ${fmt(z)} standard deviations above usual: high-frequency noise typical of sign-gradient (FGSM-like) perturbations`,
      out,
    );
    zFinding(
      'numeric.roughness',
      f.curv,
      st.curv,
      0.05,
      false,
      (z) =>
        `curvature between neighbours is ${fmt(z)} standard deviations above usual: white-noise perturbation`,
      out,
    );
    zFinding(
      'numeric.spike',
      f.spike,
      st.spike,
      0.05,
      false,
      (z) =>
        `largest jump ${fmt(s.maxJump)} is ${fmt(z)} standard deviations above the usual jump-to-mean ratio`,
      out,
    );
    const range = st.max - st.min;
    const tolerance = o.rangeTolerance * range + 1e-9 + 1e-6 * Math.max(Math.abs(st.max), Math.abs(st.min));
    const excess = Math.max(s.max - st.max, st.min - s.min, 0);
    if (excess > tolerance) {
      out.push(
        makeFinding(
          'numeric.outlier',
          scoreFromRatio(excess / tolerance),
          `values ${fmt(s.min)}..${fmt(s.max)} fall far outside this route's observed ${fmt(st.min)}..${fmt(st.max)}`,
        ),
      );
    }
    const feat = st.feat;
    if (feat && feat.n >= o.warmup && feat.key === s.shapeKey && s.count === feat.mean.length) {
      const floor = 0.01 * range + 1e-12;
      let worst = 0;
      let worstAt = -1;
      let over = 0;
      forEachLeaf(tensor, 16, s.count * 2 + 16, (i, v) => {
        const std = Math.sqrt(feat.m2[i]! / Math.max(1, feat.n - 1));
        const z = Math.abs(v - feat.mean[i]!) / Math.max(std, floor);
        if (z >= o.featureZThreshold) over += 1;
        if (z > worst) [worst, worstAt] = [z, i];
      });
      if (over > 0) {
        out.push(
          makeFinding(
            'numeric.feature_outlier',
            scoreFromRatio(worst / o.featureZThreshold),
            `${over} of ${s.count} features beyond z=${o.featureZThreshold}; largest z=${fmt(worst)} at ${indexPath(worstAt, s.shape)}`,
            indexPath(worstAt, s.shape),
          ),
        );
      }
    }
  };

  return {
    evaluate(route, summary, tensor, priorScore = 0) {
      let st = routes.get(route);
      if (st) routes.delete(route);
      else st = newRoute();
      routes.set(route, st);
      if (routes.size > o.maxRoutes) routes.delete(routes.keys().next().value as string);

      // Truncated or over-deep payloads were not fully seen; non-finite ones have no meaningful moments.
      if (summary.finite === 0 || summary.truncated || summary.tooDeep) return { score: 0, findings: [] };
      const findings: Finding[] = [];
      let shapeChanged = false;
      if (st.samples >= o.warmup) {
        if (typeof st.shape === 'string' && summary.shapeKey !== st.shape) {
          shapeChanged = true;
          findings.push(
            makeFinding(
              'numeric.shape_change',
              o.shapeChangeScore,
              `shape ${summary.shapeKey} differs from this route's established ${st.shape}`,
            ),
          );
        } else {
          scoreWarm(st, summary, tensor, findings);
        }
      }
      const score = maxScore(findings);
      const clean = summary.nonFinite === 0 && summary.nonNumeric === 0 && !summary.ragged;
      if (clean && !shapeChanged && Math.max(score, priorScore) < o.learnBelow) learn(st, summary, tensor);
      if (shared) sync(route, st);
      return { score, findings };
    },
    stats(route) {
      const st = routes.get(route);
      if (!st) return undefined;
      return {
        samples: st.samples,
        shape: st.shape,
        rms: { mean: st.rms.mean, std: stdRunning(st.rms) },
        min: st.min,
        max: st.max,
        featureSamples: st.feat?.n ?? 0,
      };
    },
    reset(route) {
      if (route === undefined) routes.clear();
      else routes.delete(route);
    },
    get size() {
      return routes.size;
    },
  };
}

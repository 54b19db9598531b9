/**
 * Behaviour over time (seeds 000/001: "repeated input detection", "pattern analysis", "unusual request
 * patterns"): per-client signals that no single request shows.
 *
 * - `behavior.repeated_input`: the same normalized input from one client to one route N times in a
 *   window. Counted among the client's recent inputs in memory, and through a `RateStore` limiter when
 *   the store is shared (Redis), so that instances agree.
 * - `behavior.near_duplicate_probing`: many small perturbations of one input (model extraction,
 *   adversarial search). SimHash signatures of the client's recent inputs, in memory, and with
 *   `shared` (`stores.behavior`) also in the shared store, so probes spread over instances add up.
 * - `behavior.request_rate` / `behavior.failure_rate`: the client's decayed request rate or failure
 *   share far above the population's (EWMA), in memory.
 *
 * Memory: at most `maxClients` clients, in typed-array columns allocated as the population grows (about
 * 0.8 KB per client with the default `historySize`, see `behavior-clients.ts`); when full, a client
 * seen only once since the clock hand last passed is evicted before a returning one, so a flood of
 * one-off addresses evicts itself. The in-memory parts are per process (per isolate on Workers). No
 * timers: state is created lazily and decayed on access, so the tracker is safe to build inside a
 * Worker's handler.
 *
 * Repeats in memory are counted in the client's ring of its last `historySize` input fingerprints
 * within `repeatWindowSec` (so the count saturates at `historySize`, far above the threshold). With a
 * shared store each call waits at most `storeTimeoutMs`; when the store fails, the ring's count is used
 * (insurance) and the failure is reported.
 * How the tracker's score combines with the other stages: see `behavior-risk.ts` (`combineRisk`).
 * @module
 */
import { AiShieldConfigError } from '../errors.js';
import type { Limiter, RateStore } from '../rate/store.js';
import { createStoreGuard, type StoreGuard } from '../rate/store-guard.js';
import type { Finding } from '../types.js';
import { ClientTable, NUMBERS, TEXT } from './behavior-clients.js';
import {
  fingerprintNumbers,
  fmix32,
  hamming,
  hashString,
  normalizeForFingerprint,
  type Sig64,
  simhashText,
} from './behavior-signature.js';
import {
  type BehaviorEntry,
  type BehaviorStore,
  decodeBehaviorEntry,
  encodeBehaviorEntry,
} from './behavior-store.js';
import { fmt, makeFinding, maxScore, scoreFromRatio } from './numeric-stats.js';

/** Options of {@link createBehaviorTracker}. */
export interface BehaviorTrackerOptions {
  /**
   * Counter store for repeated inputs; the same store as rate monitoring. A memory store is not called
   * (the client's ring counts repeats); a shared one (Redis) is, so that instances agree.
   */
  store: RateStore;
  /** Longest wait for the store, ms, before the in-memory count is used. Default `250`. */
  storeTimeoutMs?: number;
  /** @internal The shield's guard of `store` (shared with the rate stage), so a hung store trips once. */
  guard?: StoreGuard;
  /**
   * Shared fingerprint history and repeat counts (`stores.behavior`, e.g. Redis): near-duplicates and
   * repeats are then counted over the client's inputs to every instance, in one round trip per request.
   * The in-memory ring stays the insurance when the store fails or does not answer in time.
   */
  shared?: BehaviorStore;
  /** @internal The shield's guard of `shared` (shared with the other stores on the same connection). */
  sharedGuard?: StoreGuard;
  /** Key namespace in the store. Default `'ais:behavior'`. */
  keyPrefix?: string;
  /** Identical inputs per client and route that flag (score 0.55; 0.85 at twice). Default `10`. */
  repeatThreshold?: number;
  /** Window of the repeat counter, seconds. Default `300`. */
  repeatWindowSec?: number;
  /** Near-duplicates of an input among the client's recent ones that flag (0 disables). Default `8`. */
  probeThreshold?: number;
  /** Window in which recent inputs count as near-duplicates, seconds. Default `600`. */
  probeWindowSec?: number;
  /** Max differing SimHash bits (of 64) for two texts to be near-duplicates. Default `10`. */
  textMaxDistance?: number;
  /** Max differing bits for two numeric inputs (about 0.28 rad between centred vectors at 6). Default `6`. */
  numericMaxDistance?: number;
  /** Recent inputs remembered per client (near-duplicates and repeats are counted among them). Default `32`. */
  historySize?: number;
  /** Clients remembered; one not seen again since the clock hand last passed is evicted first. Default `10_000`. */
  maxClients?: number;
  /** Half-life of the per-client request and failure counters, seconds. Default `60`. */
  halfLifeSec?: number;
  /** z-score (log scale) of a client's rate above the population that flags (score <= 0.7). Default `3`. */
  rateZThreshold?: number;
  /** Rates below this never flag, requests per minute. Default `60`. */
  minRatePerMin?: number;
  /** Clients that must be tracked before the population comparison is trusted. Default `10`. */
  minPopulation?: number;
  /** Binomial z-score of a client's failures over the population share that flags. Default `4`. */
  failureZThreshold?: number;
  /** Decayed outcomes needed before a client's failure share is judged. Default `10`. */
  minOutcomes?: number;
  /** Clock in milliseconds; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

/** One request, as the tracker sees it. */
export interface BehaviorObservation {
  /** Who: client IP, API key id or user id (the pipeline's tracker key). */
  clientKey: string;
  /** Route policy key; inputs are compared per route. */
  route: string;
  /** User-controlled text (not system prompts or templates, which would make everything look alike). */
  text?: string;
  /** Numeric payload, e.g. the parsed `input` field. */
  numbers?: unknown;
  /** Outcome of this request, when already known (else call `recordOutcome` later). */
  failed?: boolean;
}

/** Result of `observe`. Plain data. */
export interface BehaviorResult {
  /** 0..1: the strongest finding's score. */
  score: number;
  findings: Finding[];
  /**
   * Set when the shared store failed or did not answer within `storeTimeoutMs`: repeats were counted in
   * memory instead (insurance). The pipeline lists the failure; the tracker never throws.
   */
  storeError?: Error;
}

/** Per-client behaviour tracker. Create one per shield with {@link createBehaviorTracker}. */
export interface BehaviorTracker {
  observe(observation: BehaviorObservation): Promise<BehaviorResult>;
  /** Records whether a request of this client failed (4xx/5xx from the model, auth failure, block). */
  recordOutcome(clientKey: string, outcome: { failed: boolean }): void;
  /** Forgets one client's in-memory state (the store's repeat counters expire on their own). */
  forget(clientKey: string): void;
  /** Clients currently held in memory. */
  readonly size: number;
}

function resolve(options: BehaviorTrackerOptions) {
  const o = {
    keyPrefix: options.keyPrefix ?? 'ais:behavior',
    repeatThreshold: options.repeatThreshold ?? 10,
    repeatWindowSec: options.repeatWindowSec ?? 300,
    probeThreshold: options.probeThreshold ?? 8,
    probeWindowSec: options.probeWindowSec ?? 600,
    textMaxDistance: options.textMaxDistance ?? 10,
    numericMaxDistance: options.numericMaxDistance ?? 6,
    historySize: options.historySize ?? 32,
    maxClients: options.maxClients ?? 10_000,
    halfLifeSec: options.halfLifeSec ?? 60,
    rateZThreshold: options.rateZThreshold ?? 3,
    minRatePerMin: options.minRatePerMin ?? 60,
    minPopulation: options.minPopulation ?? 10,
    failureZThreshold: options.failureZThreshold ?? 4,
    minOutcomes: options.minOutcomes ?? 10,
    storeTimeoutMs: options.storeTimeoutMs ?? 250,
  };
  const issues: string[] = [];
  if (typeof options.store?.createLimiter !== 'function') {
    issues.push('behavior.store must be a RateStore, e.g. createMemoryStore()');
  }
  const integers = ['repeatThreshold', 'historySize', 'maxClients', 'minPopulation'] as const;
  for (const key of integers) {
    if (!Number.isInteger(o[key]) || o[key] < 1) issues.push(`behavior.${key} must be a positive integer`);
  }
  if (!Number.isInteger(o.probeThreshold) || o.probeThreshold < 0) {
    issues.push('behavior.probeThreshold must be an integer >= 0 (0 disables probing detection)');
  }
  const positives = [
    'repeatWindowSec',
    'probeWindowSec',
    'halfLifeSec',
    'rateZThreshold',
    'failureZThreshold',
    'storeTimeoutMs',
  ] as const;
  for (const key of positives) {
    if (!(o[key] > 0 && Number.isFinite(o[key]))) issues.push(`behavior.${key} must be a positive number`);
  }
  for (const key of ['textMaxDistance', 'numericMaxDistance', 'minRatePerMin', 'minOutcomes'] as const) {
    if (!(o[key] >= 0 && Number.isFinite(o[key]))) issues.push(`behavior.${key} must be a number >= 0`);
  }
  if (o.historySize > 1024) issues.push('behavior.historySize must be <= 1024 (memory is per client)');
  if (issues.length > 0) throw new AiShieldConfigError(issues);
  return o;
}

/** Keeps store keys short and free of separators whatever the client key looks like. */
function storeSafe(key: string): string {
  if (key.length <= 96 && /^[\w.:@-]*$/.test(key)) return key;
  const h = hashString(key);
  return `h${h.hi.toString(16)}${h.lo.toString(16)}`;
}

/**
 * Creates a behaviour tracker. Options are checked once here (throws `AiShieldConfigError`);
 * `observe` never throws on request data or store failures.
 *
 * @example
 * const tracker = createBehaviorTracker({ store: createMemoryStore() });
 * const behavior = await tracker.observe({ clientKey: ip, route: '/v1/chat', text: prompt });
 * // later, once the response is known:
 * tracker.recordOutcome(ip, { failed: res.status >= 400 });
 */
export function createBehaviorTracker(options: BehaviorTrackerOptions): BehaviorTracker {
  const o = resolve(options);
  const store = options.store;
  const shared = store.kind !== 'memory';
  const guard = shared ? (options.guard ?? createStoreGuard(store.kind)) : undefined;
  const now = options.now ?? (() => Date.now());
  const clients = new ClientTable(o.maxClients, o.historySize);
  const h = o.historySize;
  const scratch = new Float64Array(64);
  const ln2 = Math.LN2;
  let limiter: Limiter | undefined;
  const sharedStore = options.shared;
  const sharedGuard = sharedStore ? (options.sharedGuard ?? createStoreGuard(sharedStore.kind)) : undefined;
  // Population EWMA of log request rate and of the failure share. Each client's update is weighted by
  // 1/(its own decayed count), so a flooding client cannot drag the population towards itself.
  const pop = { rateMean: 0, rateVar: 0, rateSeen: 0, failShare: 0.05, outcomesSeen: 0 };
  const popAlpha = 0.02;

  const decay = (from: number, to: number): number => 2 ** (-Math.max(0, to - from) / 1000 / o.halfLifeSec);

  const outcome = (slot: number, failed: boolean, t: number): void => {
    const d = decay(clients.lastOutcome[slot]!, t);
    const outcomes = clients.outcomes[slot]! * d + 1;
    clients.outcomes[slot] = outcomes;
    clients.fails[slot] = clients.fails[slot]! * d + (failed ? 1 : 0);
    clients.lastOutcome[slot] = t;
    const a = popAlpha / outcomes;
    pop.failShare += a * ((failed ? 1 : 0) - pop.failShare);
    pop.outcomesSeen += 1;
  };

  const rateFindings = (slot: number, t: number, out: Finding[]): void => {
    const count = clients.count[slot]! * decay(clients.last[slot]!, t) + 1;
    clients.count[slot] = count;
    clients.last[slot] = t;
    // Steady state of a decayed counter at rate λ is λ·halfLife/ln2, hence the conversion.
    const perMin = ((count * ln2) / o.halfLifeSec) * 60;
    const x = Math.log(perMin);
    if (pop.rateSeen > 0 && clients.size >= o.minPopulation && perMin >= o.minRatePerMin && count >= 10) {
      const z = (x - pop.rateMean) / Math.max(Math.sqrt(pop.rateVar), 0.25);
      if (z >= o.rateZThreshold) {
        out.push(
          makeFinding(
            'behavior.request_rate',
            // Capped at 0.7: rate anomalies flag; enforcing hard limits is the rate stage's job.
            Math.min(0.7, scoreFromRatio(z / o.rateZThreshold, 0.5, 0.65)),
            `client sends about ${fmt(perMin)} requests/min, ${fmt(z)} standard deviations above typical clients (${fmt(Math.exp(pop.rateMean))}/min)`,
          ),
        );
      }
    }
    if (pop.rateSeen === 0) pop.rateMean = x;
    const a = popAlpha / count;
    const delta = x - pop.rateMean;
    pop.rateMean += a * delta;
    pop.rateVar = (1 - a) * (pop.rateVar + a * delta * delta);
    pop.rateSeen += 1;
  };

  const failureFindings = (slot: number, t: number, out: Finding[]): void => {
    const d = decay(clients.lastOutcome[slot]!, t);
    const outcomes = clients.outcomes[slot]! * d;
    if (outcomes < o.minOutcomes) return;
    const fails = clients.fails[slot]! * d;
    // Until the population has seen enough outcomes, assume a 5% failure share.
    const p = Math.min(0.5, Math.max(0.02, pop.outcomesSeen >= 50 ? pop.failShare : 0.05));
    const z = (fails - outcomes * p) / Math.sqrt(outcomes * p * (1 - p));
    if (fails / outcomes >= 0.5 && z >= o.failureZThreshold) {
      out.push(
        makeFinding(
          'behavior.failure_rate',
          // Capped like the rate signal: lockouts after failed attempts belong to the rate stage.
          Math.min(0.7, scoreFromRatio(z / o.failureZThreshold, 0.5, 0.65)),
          `${fmt((100 * fails) / outcomes)}% of this client's recent requests failed (typical ${fmt(100 * p)}%)`,
        ),
      );
    }
  };

  /**
   * Looks at the client's ring for one modality: varied near-copies of `sig` within the probe window
   * (exact repeats are the repeat counter's job) and exact repeats within the repeat window.
   */
  const scan = (slot: number, route: number, modality: number, sig: Sig64, exact: number, t: number) => {
    const maxDistance = modality === TEXT ? o.textMaxDistance : o.numericMaxDistance;
    const probeFrom = clients.stamp(t - o.probeWindowSec * 1000);
    const repeatFrom = clients.stamp(t - o.repeatWindowSec * 1000);
    let near = 0;
    let repeats = 0;
    for (let i = slot * h, end = i + h; i < end; i++) {
      const at = clients.time[i]!;
      if (at === 0 || clients.modality[i] !== modality || clients.route[i] !== route) continue;
      if (clients.exact[i] === exact) {
        if (at >= repeatFrom) repeats += 1;
      } else if (
        at >= probeFrom &&
        hamming(sig.hi, sig.lo, clients.sigHi[i]!, clients.sigLo[i]!) <= maxDistance
      ) {
        near += 1;
      }
    }
    return { near, repeats };
  };

  const remember = (slot: number, route: number, modality: number, sig: Sig64, exact: number, t: number) => {
    const i = slot * h + clients.next[slot]!;
    clients.sigHi[i] = sig.hi;
    clients.sigLo[i] = sig.lo;
    clients.exact[i] = exact;
    clients.route[i] = route;
    clients.modality[i] = modality;
    clients.time[i] = clients.stamp(t);
    clients.next[slot] = (clients.next[slot]! + 1) % h;
  };

  /** `scan` over the shared history (other instances' inputs included). */
  const scanEntries = (
    history: BehaviorEntry[],
    route: number,
    modality: number,
    sig: Sig64,
    exact: number,
    t: number,
  ) => {
    const maxDistance = modality === TEXT ? o.textMaxDistance : o.numericMaxDistance;
    const probeFrom = t - o.probeWindowSec * 1000;
    const repeatFrom = t - o.repeatWindowSec * 1000;
    let near = 0;
    let repeats = 0;
    for (const entry of history) {
      if (entry.modality !== modality || entry.route !== route) continue;
      if (entry.exact === exact) {
        if (entry.at >= repeatFrom) repeats += 1;
      } else if (entry.at >= probeFrom && hamming(sig.hi, sig.lo, entry.hi, entry.lo) <= maxDistance) {
        near += 1;
      }
    }
    return { near, repeats };
  };

  /** Repeats counted in the shared store; undefined (and `failed`) when it did not answer in time. */
  const sharedRepeats = async (key: string, failed: { error?: Error }): Promise<number | undefined> => {
    limiter ??= store.createLimiter({
      keyPrefix: `${o.keyPrefix}:repeat`,
      points: o.repeatThreshold,
      durationSec: o.repeatWindowSec,
    });
    const primary = limiter;
    try {
      return (
        await guard!.call(
          () => primary.consume(key),
          () => primary.get('ais:probe'),
          o.storeTimeoutMs,
        )
      ).consumed;
    } catch (error) {
      failed.error = error instanceof Error ? error : new Error(String(error));
      return undefined;
    }
  };

  return {
    async observe(observation) {
      const findings: Finding[] = [];
      const clientKey = typeof observation?.clientKey === 'string' ? observation.clientKey : '';
      const routeKey = typeof observation?.route === 'string' ? observation.route : '';
      const t = now();
      const slot = clients.slot(clientKey, t);
      rateFindings(slot, t, findings);
      if (typeof observation?.failed === 'boolean') outcome(slot, observation.failed, t);
      failureFindings(slot, t, findings);

      const route = hashString(routeKey).lo;
      let exact: Sig64 | undefined;
      let near = 0;
      // Repeats of the whole input: for text plus numbers, both parts must repeat.
      let repeats = Number.POSITIVE_INFINITY;
      let textPrint: { sig: Sig64; exact: number } | undefined;
      if (typeof observation?.text === 'string' && observation.text.length > 0) {
        const normalized = normalizeForFingerprint(observation.text);
        exact = hashString(normalized);
        textPrint = { sig: simhashText(normalized, scratch), exact: exact.lo };
        const seen = scan(slot, route, TEXT, textPrint.sig, textPrint.exact, t);
        near = seen.near;
        repeats = seen.repeats;
      }
      const numbers = fingerprintNumbers(observation?.numbers, scratch);
      if (numbers) {
        exact = exact
          ? { hi: fmix32(exact.hi ^ numbers.exact.hi), lo: fmix32(exact.lo ^ numbers.exact.lo) }
          : numbers.exact;
        const seen = scan(slot, route, NUMBERS, numbers.sim, numbers.exact.lo, t);
        near = Math.max(near, seen.near);
        repeats = Math.min(repeats, seen.repeats);
      }
      if (textPrint) remember(slot, route, TEXT, textPrint.sig, textPrint.exact, t);
      if (numbers) remember(slot, route, NUMBERS, numbers.sim, numbers.exact.lo, t);

      const failed: { error?: Error } = {};
      // With a shared store, the client's history on every instance decides (one round trip); the
      // local ring's counts stand when the store fails.
      let sharedCount: number | undefined;
      if (sharedStore && (textPrint || numbers)) {
        const entries: string[] = [];
        if (textPrint) {
          const { sig, exact: e } = textPrint;
          entries.push(
            encodeBehaviorEntry({ route, modality: TEXT, hi: sig.hi, lo: sig.lo, exact: e, at: t }),
          );
        }
        if (numbers) {
          const { sim, exact: e } = numbers;
          entries.push(
            encodeBehaviorEntry({ route, modality: NUMBERS, hi: sim.hi, lo: sim.lo, exact: e.lo, at: t }),
          );
        }
        const client = storeSafe(clientKey);
        try {
          const answer = await sharedGuard!.call(
            () =>
              sharedStore.record({
                client,
                entries,
                historySize: h,
                ttlSec: Math.ceil(Math.max(o.probeWindowSec, o.repeatWindowSec)),
                ...(exact
                  ? {
                      repeatKey: `${client}:${route.toString(16)}:${exact.hi.toString(16)}${exact.lo.toString(16)}`,
                    }
                  : {}),
                repeatWindowSec: o.repeatWindowSec,
              }),
            () => sharedStore.probe(),
            o.storeTimeoutMs,
          );
          const history: BehaviorEntry[] = [];
          for (const text of Array.isArray(answer?.history) ? answer.history : []) {
            const entry = decodeBehaviorEntry(text);
            if (entry) history.push(entry);
          }
          let sharedNear = 0;
          let sharedRepeats = Number.POSITIVE_INFINITY;
          if (textPrint) {
            const seen = scanEntries(history, route, TEXT, textPrint.sig, textPrint.exact, t);
            sharedNear = seen.near;
            sharedRepeats = seen.repeats;
          }
          if (numbers) {
            const seen = scanEntries(history, route, NUMBERS, numbers.sim, numbers.exact.lo, t);
            sharedNear = Math.max(sharedNear, seen.near);
            sharedRepeats = Math.min(sharedRepeats, seen.repeats);
          }
          near = Math.max(near, sharedNear);
          const counted = Number(answer?.repeats);
          sharedCount = Number.isFinite(counted) && counted > 0 ? counted : sharedRepeats + 1;
        } catch (error) {
          failed.error = error instanceof Error ? error : new Error(String(error));
        }
      }
      if (o.probeThreshold > 0 && near >= o.probeThreshold) {
        findings.push(
          makeFinding(
            'behavior.near_duplicate_probing',
            scoreFromRatio(near / o.probeThreshold, 0.55, 0.85),
            `${near} slightly different variants of this input from the same client in ${o.probeWindowSec}s (model extraction or adversarial search)`,
          ),
        );
      }

      if (exact) {
        // This request counts too. The ring holds `historySize` inputs, so in memory the count
        // saturates there (well above the threshold with the defaults).
        let count = sharedCount ?? repeats + 1;
        if (guard && !sharedStore) {
          const key = `${storeSafe(clientKey)}:${route.toString(16)}:${exact.hi.toString(16)}${exact.lo.toString(16)}`;
          count = (await sharedRepeats(key, failed)) ?? count;
        }
        if (count >= o.repeatThreshold) {
          findings.push(
            makeFinding(
              'behavior.repeated_input',
              scoreFromRatio(count / o.repeatThreshold, 0.55, 0.85),
              `same input sent ${count} times in ${o.repeatWindowSec}s by this client`,
            ),
          );
        }
      }
      const result: BehaviorResult = { score: maxScore(findings), findings };
      if (failed.error) result.storeError = failed.error;
      return result;
    },
    recordOutcome(clientKey, outcomeValue) {
      if (typeof clientKey !== 'string' || typeof outcomeValue?.failed !== 'boolean') return;
      const t = now();
      outcome(clients.slot(clientKey, t), outcomeValue.failed, t);
    },
    forget(clientKey) {
      clients.forget(clientKey);
    },
    get size() {
      return clients.size;
    },
  };
}

/**
 * The in-process recorder behind the dashboard, `/metrics` and the OpenTelemetry metrics: one fixed set
 * of counters per shield, updated once per decision and once per response check. Everything a request
 * touches is preallocated (typed arrays, a per-second ring, fixed histograms, capped top-k tables); the
 * maps keyed by route, code or PII type grow only with the number of distinct policies and codes, which
 * is bounded by the configuration, never by request data.
 * @module
 */
import { type AiShieldErrorCode, ERROR_CODES } from '../errors.js';
import type { Incident } from '../incidents/types.js';
import type { Action, Decision, ResponseCheck, Severity, StageName } from '../types.js';
import {
  createHistogram,
  DURATION_BOUNDS,
  type FixedHistogram,
  MICROSECONDS,
  THOUSANDTHS,
  UNIT_BOUNDS,
} from './histogram.js';
import type { TelemetryOptions } from './options.js';
import { createSecondRing, type RingColumn, type SecondRing } from './ring.js';
import { createTopK, type TopK, type TopKEntry } from './top-k.js';

export const ACTIONS = ['allow', 'flag', 'block'] as const;
export const STAGES = ['access', 'rate', 'validation', 'detection'] as const;
export const PII_ACTIONS = ['mask', 'redact', 'block', 'flag'] as const;
/** Route label of decisions made under the global policy (no `routes` entry matched). */
export const GLOBAL_ROUTE = '*';
/** Policies whose key starts with this belong to the shield's own endpoints (the dashboard's access check). */
export const INTERNAL_POLICY_PREFIX = 'ai-shield:';

const actionIndex = (action: Action): number => (action === 'allow' ? 0 : action === 'flag' ? 1 : 2);

/** Which stage refuses a request with this code (a failed stage is read from the decision's failures). */
const STAGE_OF_CODE: Partial<Record<AiShieldErrorCode, StageName>> = {};
for (const code of Object.keys(ERROR_CODES) as AiShieldErrorCode[]) {
  if (code.startsWith('ERR_VALIDATION_')) STAGE_OF_CODE[code] = 'validation';
  else if (code.startsWith('ERR_ACCESS_')) STAGE_OF_CODE[code] = 'access';
  else if (code.startsWith('ERR_RATE_') || code === 'ERR_STORE_UNAVAILABLE') STAGE_OF_CODE[code] = 'rate';
  else if (code.startsWith('ERR_DETECTION_')) STAGE_OF_CODE[code] = 'detection';
}

/** The stage that blocked a decision, or undefined when it cannot be told. */
export function blockingStage(decision: Pick<Decision, 'code' | 'failures'>): StageName | undefined {
  const byCode = decision.code ? STAGE_OF_CODE[decision.code] : undefined;
  if (byCode) return byCode;
  for (let i = 0; i < decision.failures.length; i++) {
    const failure = decision.failures[i]!;
    if (failure.policy === 'closed' && failure.stage !== 'response') return failure.stage;
  }
  return undefined;
}

/** PII findings say what was done in their last word (output/mask.ts `piiFinding`). */
function piiActionIndex(message: string): number {
  if (message.endsWith(' masked')) return 0;
  if (message.endsWith(' redacted')) return 1;
  if (message.endsWith(' blocked')) return 2;
  return 3;
}

/**
 * Consecutive incidents that differ only in time and id (same type, severity, client, identity, route,
 * code and finding kinds), shown once: a burst of 100 rate-limit hits is one line with its count.
 */
export interface IncidentRun {
  /** The latest incident of the run. */
  incident: Incident;
  count: number;
  /** Epoch ms of the first incident of the run. */
  firstTs: number;
}

/** Runs looked back on when folding a new incident (bursts from two sources interleave). */
const RUN_LOOKBACK = 4;

const runKey = (i: Incident) =>
  `${i.type}|${i.severity}|${i.clientIp ?? ''}|${i.identity ?? ''}|${i.route ?? ''}|${i.code ?? ''}|${i.kinds?.join(',') ?? ''}`;

/** Counts of one (route, reason code) pair, per action. */
export interface DecisionCell {
  readonly route: string;
  readonly code: string;
  readonly counts: Float64Array;
}

/** Everything the recorder counts; read by the snapshot, the Prometheus writer and the OTel bridge. */
export interface RecorderState {
  /** Epoch ms of the first thing recorded (or of the first snapshot). */
  startedAt: number;
  /** Decisions per action (allow, flag, block). */
  readonly actions: Float64Array;
  /** Decisions made in `monitor` mode (their blocks were not enforced). */
  monitorDecisions: number;
  /** route -> reason code (`none` for allowed requests) -> counts per action. */
  readonly cells: Map<string, Map<string, DecisionCell>>;
  readonly blocksByCode: Map<string, number>;
  /** Blocks per stage (access, rate, validation, detection, then unknown). */
  readonly blocksByStage: Float64Array;
  readonly ring: SecondRing;
  readonly risk: FixedHistogram;
  /** The prompt scanner's score of each request with text to scan (`decision.risk.detection`). */
  readonly detection: FixedHistogram;
  /** Seconds per stage, and `total` for the whole pipeline. */
  readonly durations: Record<StageName | 'total', FixedHistogram>;
  /** Share of the client's rate budget used after each request (from the RateLimit headers). */
  readonly budgetUsed: FixedHistogram;
  /** Failures reported by the rate stage (store unreachable or slow), by the policy applied. */
  readonly rateStoreErrors: Map<string, number>;
  /** Stage failures (fail-open or fail-closed), by stage. */
  readonly stageFailures: Map<string, number>;
  readonly clients: TopK;
  readonly identities: TopK;
  /** Response checks per action; `withheld` are enforced blocks, `modified` rewritten (masked) bodies. */
  readonly responses: Float64Array;
  responsesWithheld: number;
  responsesModified: number;
  /** PII entity type -> counts per action (mask, redact, block, flag). */
  readonly pii: Map<string, Float64Array>;
  /** `type` -> severity -> count, for at most 64 incident types (the rest count as `other`). */
  readonly incidentsByType: Map<string, Record<Severity, number>>;
}

export interface Recorder {
  /**
   * Records one decision. `outer` is the decision of an outer (global) middleware for the same request:
   * the request was counted then, so a route policy's decision only moves it to a stricter action.
   */
  decision(decision: Decision, outer: Decision | undefined): void;
  /** Records one response check (`decision`: the request's, when known). */
  response(decision: Decision | undefined, check: ResponseCheck): void;
  incident(incident: Incident): void;
  /** The most recent incidents, newest first, repeats folded into runs. */
  recentIncidents(): IncidentRun[];
  readonly state: RecorderState;
  /** Epoch second the ring's second 0 stands for (set with `startedAt`). */
  readonly base: number;
  /** Starts the clock if nothing was recorded yet. */
  start(): void;
}

const MAX_INCIDENT_TYPES = 64;

export function createRecorder(options: Pick<TelemetryOptions, 'topK' | 'recentIncidents'>): Recorder {
  const durations = {} as Record<StageName | 'total', FixedHistogram>;
  for (const stage of [...STAGES, 'total'] as const)
    durations[stage] = createHistogram(DURATION_BOUNDS, MICROSECONDS);
  const state: RecorderState = {
    // Set on first use, not at creation: on Workers the clock stands still at global scope, where apps
    // often create the shield.
    startedAt: 0,
    actions: new Float64Array(3),
    monitorDecisions: 0,
    cells: new Map(),
    blocksByCode: new Map(),
    blocksByStage: new Float64Array(STAGES.length + 1),
    ring: createSecondRing(3600),
    risk: createHistogram(UNIT_BOUNDS, THOUSANDTHS),
    detection: createHistogram(UNIT_BOUNDS, THOUSANDTHS),
    durations,
    budgetUsed: createHistogram(UNIT_BOUNDS, THOUSANDTHS),
    rateStoreErrors: new Map(),
    stageFailures: new Map(),
    clients: createTopK(options.topK),
    identities: createTopK(options.topK),
    responses: new Float64Array(3),
    responsesWithheld: 0,
    responsesModified: 0,
    pii: new Map(),
    incidentsByType: new Map(),
  };
  // The ring counts seconds since the epoch second the recorder started: small integers, which V8 passes
  // around unboxed (epoch seconds and milliseconds are doubles and would be boxed on every call).
  let base = 0;
  function start(): void {
    if (state.startedAt !== 0) return;
    state.startedAt = Date.now();
    base = Math.floor(state.startedAt / 1000);
  }
  const runs: Array<(IncidentRun & { key: string | undefined }) | undefined> = new Array(
    options.recentIncidents,
  );
  let runsNext = 0;

  function cellOf(route: string, code: string): DecisionCell {
    let byCode = state.cells.get(route);
    if (!byCode) state.cells.set(route, (byCode = new Map()));
    let cell = byCode.get(code);
    // First sighting of this (route, code): the only allocation, bounded by policies x codes.
    if (!cell) byCode.set(code, (cell = { route, code, counts: new Float64Array(3) }));
    return cell;
  }

  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  function recordDurations(decision: Decision): void {
    const { timings } = decision;
    for (let i = 0; i < STAGES.length; i++) {
      const ms = timings[STAGES[i]!];
      if (ms !== undefined) durations[STAGES[i]!].record(Math.round(ms * 1000));
    }
  }

  function recordBlock(decision: Decision, sec: number): void {
    const code = decision.code ?? 'none';
    bump(state.blocksByCode, code);
    const stage = blockingStage(decision);
    state.blocksByStage[stage ? STAGES.indexOf(stage) : STAGES.length]!++;
    if (decision.status === 429) state.ring.add(sec, 3);
    state.clients.add(decision.clientIp);
    if (decision.identity) state.identities.add(decision.identity.id);
  }

  function decision(d: Decision, outer: Decision | undefined): void {
    const index = actionIndex(d.action);
    if (state.startedAt === 0) start();
    const sec = Math.floor(Date.now() / 1000) - base;
    recordDurations(d);
    const limit = d.headers['ratelimit-limit'];
    const remaining = d.headers['ratelimit-remaining'];
    if (limit !== undefined && remaining !== undefined) {
      const points = +limit;
      if (points > 0) {
        state.budgetUsed.record(
          Math.round((Math.min(points, Math.max(0, points - +remaining)) * THOUSANDTHS) / points),
        );
      }
    }
    const { failures } = d;
    for (let i = 0; i < failures.length; i++) {
      const failure = failures[i]!;
      bump(state.stageFailures, failure.stage);
      // The rate stage reports a failure only when its store is unreachable or too slow (rate/stage.ts).
      if (failure.stage === 'rate') bump(state.rateStoreErrors, failure.policy);
    }
    if (outer) {
      const before = actionIndex(outer.action);
      if (index <= before) return;
      // A route policy made the outcome stricter: the request moves from the outer action to this one.
      state.actions[before]!--;
      state.ring.move(sec, before, index);
      cellOf(outer.route ?? GLOBAL_ROUTE, outer.code ?? 'none').counts[before]!--;
    } else {
      state.ring.add(sec, index);
      state.risk.record(Math.round(d.risk.score * THOUSANDTHS));
      if (d.risk.detection !== undefined) state.detection.record(Math.round(d.risk.detection * THOUSANDTHS));
      durations.total.record(Math.round(d.timings.total * 1000));
      if (d.mode === 'monitor') state.monitorDecisions++;
    }
    state.actions[index]!++;
    cellOf(d.route ?? GLOBAL_ROUTE, d.code ?? 'none').counts[index]!++;
    if (index === 2) recordBlock(d, sec);
  }

  function response(d: Decision | undefined, check: ResponseCheck): void {
    state.responses[actionIndex(check.action)]!++;
    if (check.action === 'block' && d?.mode !== 'monitor') state.responsesWithheld++;
    // A withheld body is replaced, not rewritten: `modified` counts masked bodies that were delivered.
    if (check.modified && check.action !== 'block') state.responsesModified++;
    const { findings } = check;
    for (let i = 0; i < findings.length; i++) {
      const finding = findings[i]!;
      if (!finding.kind.startsWith('pii.')) continue;
      const dot = finding.kind.indexOf('.', 4);
      const type = dot === -1 ? finding.kind.slice(4) : finding.kind.slice(4, dot);
      let counts = state.pii.get(type);
      if (!counts) state.pii.set(type, (counts = new Float64Array(PII_ACTIONS.length)));
      counts[piiActionIndex(finding.message)]!++;
    }
  }

  function incident(incident: Incident): void {
    // Application incidents carry their own details: each is kept as it is.
    const key = incident.details ? undefined : runKey(incident);
    let run: (typeof runs)[number];
    for (let back = 1; key && back <= Math.min(RUN_LOOKBACK, runsNext, runs.length); back++) {
      const candidate = runs[(runsNext - back) % runs.length];
      if (candidate?.key === key) {
        run = candidate;
        break;
      }
    }
    if (run) {
      run.count++;
      run.incident = incident;
    } else {
      runs[runsNext % runs.length] = { incident, count: 1, firstTs: incident.ts, key };
      runsNext++;
    }
    let type = incident.type;
    if (!state.incidentsByType.has(type) && state.incidentsByType.size >= MAX_INCIDENT_TYPES) type = 'other';
    let bySeverity = state.incidentsByType.get(type);
    if (!bySeverity) {
      bySeverity = { low: 0, medium: 0, high: 0, critical: 0 };
      state.incidentsByType.set(type, bySeverity);
    }
    bySeverity[incident.severity] = (bySeverity[incident.severity] ?? 0) + 1;
  }

  function recentIncidents(): IncidentRun[] {
    const out: IncidentRun[] = [];
    for (let i = 1; i <= Math.min(runsNext, runs.length); i++) {
      const { incident: latest, count, firstTs } = runs[(runsNext - i) % runs.length]!;
      out.push({ incident: latest, count, firstTs });
    }
    return out.sort((a, b) => b.incident.ts - a.incident.ts);
  }

  return {
    decision,
    response,
    incident,
    recentIncidents,
    state,
    start,
    get base() {
      return base;
    },
  };
}

/** What the recorder holds, as plain JSON (the dashboard's data, minus audit status and summary). */
export interface RecorderSnapshot {
  startedAt: string;
  totals: { allow: number; flag: number; block: number; rateLimited: number; monitorDecisions: number };
  /** Decisions per second over the last hour: `start` is the epoch second of the first value. */
  perSecond: { start: number; columns: Record<RingColumn, number[]> };
  /** The last hour's totals, from the per-second ring. */
  lastHour: Record<RingColumn, number>;
  blocks: {
    byCode: Array<{ code: string; title: string; stage: string; count: number }>;
    byStage: Record<StageName | 'unknown', number>;
  };
  topClients: TopKEntry[];
  topIdentities: TopKEntry[];
  /** Risk-score histogram: `counts[i]` are scores <= `bounds[i]` (and above the previous bound). */
  risk: { bounds: number[]; counts: number[]; count: number; sum: number };
  /** The prompt scanner's score histogram, over requests with text to scan (same buckets as `risk`). */
  detection: { bounds: number[]; counts: number[]; count: number; sum: number };
  stages: Record<StageName | 'total', { count: number; meanMs: number }>;
  rate: {
    limited: number;
    lockouts: number;
    budgetUsed: { bounds: number[]; counts: number[]; count: number };
    storeErrors: Record<string, number>;
  };
  failures: Record<string, number>;
  responses: {
    checked: number;
    flagged: number;
    withheld: number;
    modified: number;
    pii: Array<{ type: string; masked: number; redacted: number; blocked: number; flagged: number }>;
  };
  incidentsByType: Record<string, Record<Severity, number>>;
}

/** The recorder's state as JSON for the dashboard. */
export function snapshotRecorder(recorder: Recorder, nowMs: number, top = 10): RecorderSnapshot {
  const { state } = recorder;
  recorder.start();
  const nowSec = Math.floor(nowMs / 1000) - recorder.base;
  const series = state.ring.series(nowSec);
  const byStage = { access: 0, rate: 0, validation: 0, detection: 0, unknown: 0 };
  STAGES.forEach((stage, i) => {
    byStage[stage] = state.blocksByStage[i]!;
  });
  byStage.unknown = state.blocksByStage[STAGES.length]!;
  const stages = {} as RecorderSnapshot['stages'];
  for (const [stage, histogram] of Object.entries(state.durations)) {
    stages[stage as StageName | 'total'] = {
      count: histogram.count,
      meanMs: histogram.count ? (histogram.sum / histogram.count) * 1000 : 0,
    };
  }
  const byCode = [...state.blocksByCode.entries()]
    .map(([code, count]) => ({
      code,
      title: ERROR_CODES[code as AiShieldErrorCode]?.title ?? code,
      stage: blockingStage({ code: code as AiShieldErrorCode, failures: [] }) ?? 'unknown',
      count,
    }))
    .sort((a, b) => b.count - a.count);
  const codeCount = (code: string) => state.blocksByCode.get(code) ?? 0;
  return {
    startedAt: new Date(state.startedAt).toISOString(),
    totals: {
      allow: state.actions[0]!,
      flag: state.actions[1]!,
      block: state.actions[2]!,
      rateLimited:
        codeCount('ERR_RATE_LIMITED') + codeCount('ERR_RATE_TOO_FREQUENT') + codeCount('ERR_RATE_LOCKED_OUT'),
      monitorDecisions: state.monitorDecisions,
    },
    perSecond: { start: series.start + recorder.base, columns: series.columns },
    lastHour: state.ring.totals(nowSec),
    blocks: { byCode, byStage },
    topClients: state.clients.top(top),
    topIdentities: state.identities.top(top),
    risk: {
      bounds: [...state.risk.bounds],
      counts: state.risk.counts().slice(0, state.risk.bounds.length),
      count: state.risk.count,
      sum: state.risk.sum,
    },
    detection: {
      bounds: [...state.detection.bounds],
      counts: state.detection.counts().slice(0, state.detection.bounds.length),
      count: state.detection.count,
      sum: state.detection.sum,
    },
    stages,
    rate: {
      limited: codeCount('ERR_RATE_LIMITED') + codeCount('ERR_RATE_TOO_FREQUENT'),
      lockouts: codeCount('ERR_RATE_LOCKED_OUT'),
      budgetUsed: {
        bounds: [...state.budgetUsed.bounds],
        counts: state.budgetUsed.counts().slice(0, state.budgetUsed.bounds.length),
        count: state.budgetUsed.count,
      },
      storeErrors: Object.fromEntries(state.rateStoreErrors),
    },
    failures: Object.fromEntries(state.stageFailures),
    responses: {
      checked: state.responses[0]! + state.responses[1]! + state.responses[2]!,
      flagged: state.responses[1]!,
      withheld: state.responsesWithheld,
      modified: state.responsesModified,
      pii: [...state.pii.entries()]
        .map(([type, counts]) => ({
          type,
          masked: counts[0]!,
          redacted: counts[1]!,
          blocked: counts[2]!,
          flagged: counts[3]!,
        }))
        .sort((a, b) => b.masked + b.redacted - (a.masked + a.redacted) || (a.type < b.type ? -1 : 1)),
    },
    incidentsByType: Object.fromEntries(state.incidentsByType),
  };
}

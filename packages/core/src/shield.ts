/**
 * The pipeline: a normalized request in, a plain-data Decision out. Stages run in a fixed order
 * (access -> rate -> validation -> detection); response checks run after the handler.
 * `protect()` never throws on request data.
 * @module
 */
import { type AccessStage, createAccessShared, createAccessStage } from './auth/stage.js';
import { countEvent, createBudgetMeter, settleFromBody } from './budget/settle.js';
import { createSpendTracker, type ModelSpend } from './budget/spend.js';
import {
  type BudgetState,
  type ConsumptionContext,
  type ConsumptionStage,
  createConsumptionStage,
} from './budget/stage.js';
import { type BudgetStore, createMemoryBudgetStore } from './budget/store.js';
import { createClientIpResolver } from './client-ip.js';
import { deepMerge, resolveOptions } from './config/resolve.js';
import type { ResolvedOptions, RouteOverrides, ShieldLogger, ShieldOptions } from './config/schema.js';
import { combineRisk, type RiskPart } from './detection/behavior-risk.js';
import { createDetectionStage, type DetectionStage } from './detection/stage.js';
import { ERROR_CODES } from './errors.js';
import { createSecurityMonitor } from './incidents/monitor.js';
import type { IncidentSummary, IncidentSummaryOptions } from './incidents/summary.js';
import type { Incident, IncidentInput } from './incidents/types.js';
import { createNetworkCheck, type NetworkCheck } from './network/rules.js';
import { createResponseChecker, type ResponseChecker } from './output/checker.js';
import { createCanary } from './output/leak.js';
import type { StreamHooks } from './output/stream.js';
import { createMemoryStore } from './rate/memory.js';
import { createRateStage, type RateStage } from './rate/stage.js';
import type { RateStore } from './rate/store.js';
import { createStoreGuards } from './rate/store-guard.js';
import { scoreFromSeverity, severityFromScore } from './risk.js';
import { createRouteTable, loosens, PATH_CONFLICT } from './routes.js';
import type { Block, RequestContext } from './stage.js';
import { createTelemetry, type ShieldTelemetry } from './telemetry/telemetry.js';
import type { Decision, Finding, ResponseCheck, ShieldRequest, ShieldResponse, StageName } from './types.js';
import { untrustedProxyWarning } from './untrusted-proxy.js';
import { runValidation } from './validation/stage.js';

/** A compiled set of options: the global one, one per `routes` entry, one per adapter `route()` call. */
export interface Policy {
  readonly key: string;
  readonly options: ResolvedOptions;
  /** True when this policy has rate budgets of its own (its overrides set `rate`). */
  readonly ownRate: boolean;
  /**
   * True when this policy loosens the global one (`skip`, a stage or mode turned off, anonymous access):
   * a request whose path only matches it after normalisation gets the global policy instead.
   */
  readonly loosens: boolean;
  /** @internal */
  readonly access: AccessStage;
  /** @internal */
  readonly rate: RateStage;
  /** @internal */
  readonly detection: DetectionStage;
  /** @internal CIDR allow/deny lists, when any are set. */
  readonly network: NetworkCheck | undefined;
  /** @internal Token budgets, caps and in-flight leases (shared with the global policy unless overridden). */
  readonly consumption: ConsumptionStage;
  /** @internal The response checker, compiled on first use. */
  output(): ResponseChecker;
}

export interface ProtectOptions {
  /** Policy to apply instead of the route lookup (from `shield.policy(overrides)`). */
  policy?: Policy;
  /** Stages already run for this request by an outer middleware (so budgets are not spent twice). */
  skipStages?: readonly StageName[];
  /** Reuse the request id an outer middleware assigned. */
  requestId?: string;
  /**
   * The decision of an outer (global) middleware for this request: its request id is kept and the
   * stages it ran are skipped (access, and rate unless `policy` has budgets of its own).
   */
  outer?: Decision;
}

export interface Shield {
  /** Runs the request stages. Never throws on request data; stage crashes follow `onError`. */
  protect(request: ShieldRequest, options?: ProtectOptions): Promise<Decision>;
  /** Compiles per-route overrides once (adapters call this at route registration). */
  policy(overrides: RouteOverrides, key?: string): Policy;
  /**
   * Runs the response checks (PII, confidence, error sanitization, leaks, filters) on a complete response,
   * under the policy that protected the request. Synchronous; never throws on response data.
   */
  checkResponse(response: ShieldResponse, decision?: Decision, policy?: Policy): ResponseCheck;
  /** A filter for a streamed response body: `sse` for `text/event-stream`, `text` for other chunked text. */
  createResponseStream(
    kind: 'sse' | 'text',
    decision?: Decision,
    hooks?: StreamHooks,
    policy?: Policy,
  ): TransformStream<Uint8Array, Uint8Array>;
  /**
   * This deployment's canary token: put it in your system prompt; a response that contains it is blocked
   * as a system-prompt leak. Created on first call (never at import time). Instances of one deployment
   * should share a canary through `output.leak.canaries` instead.
   */
  canary(): string;
  /**
   * Records an incident from application code (e.g. an inference error): stored for summaries, checked
   * against the alert rules and written to the audit log.
   * @example
   * shield.logIncident({ type: 'inference_error', severity: 'high', details: { model: 'chat' } });
   */
  logIncident(incident: IncidentInput): Incident;
  /** Incidents of the last `hours` (default 24): totals, top clients, histogram, recommendations. */
  getIncidentSummary(options?: IncidentSummaryOptions): Promise<IncidentSummary>;
  /**
   * Records response-check findings. `checkResponse` and `createResponseStream` call it themselves;
   * adapters that run their own response checks call it with their result.
   */
  recordResponse(decision: Decision | undefined, check: ResponseCheck): void;
  /**
   * Decision counters, per-second history, top blocked clients, risk histogram, audit-chain status and
   * recent incidents (`snapshot()`), and the same counters as Prometheus text (`prometheus()`). This is
   * what the dashboard and the `/metrics` handler serve. In-process and fixed-size.
   */
  readonly telemetry: ShieldTelemetry;
  /**
   * Call when the response is over (finished, failed, or the client went away): releases the request's
   * in-flight slot and settles its token reservation if the response checks did not. Idempotent;
   * every adapter calls it. Never throws.
   */
  finish(decision: Decision | undefined): Promise<void>;
  /** Tokens and cost per model (`body.model`) of the settled requests since the shield started. */
  spendByModel(): Record<string, ModelSpend>;
  /** Waits until queued audit entries are written (and checkpointed) and pending alerts are sent. */
  flush(): Promise<void>;
  /** Flushes, then closes the audit sink and alert channels. Call on shutdown. */
  close(): Promise<void>;
  /** The resolved global options. */
  readonly options: ResolvedOptions;
}

const consoleLogger: ShieldLogger = {
  warn: (message, details) => console.warn(`[ai-shield] ${message}`, details ?? ''),
  error: (message, details) => console.error(`[ai-shield] ${message}`, details ?? ''),
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const isPromise = <T>(value: unknown): value is Promise<T> =>
  typeof (value as { then?: unknown } | undefined)?.then === 'function';

/**
 * One request stage in the pipeline's table: whether the policy runs it, how it fails, and the call.
 * Module-level functions that take the policy, so nothing is built per request (issue 15) and a route
 * policy that borrows the global rate stage (`{ ...policy, rate }`) runs the borrowed one.
 */
interface PipelineStep {
  readonly stage: StageName;
  /** Also skipped when the request skips this stage (the lockout belongs to both access and rate). */
  readonly alsoSkippedWith?: StageName;
  enabled(policy: Policy): boolean;
  onError(policy: Policy): 'open' | 'closed';
  /** A block, or nothing (detection only adds findings): now or later. */
  run(policy: Policy, ctx: ConsumptionContext): Block | undefined | Promise<Block | undefined>;
}

/** The request stages in their fixed order: network rules, access, lockout, rate, validation, detection. */
const PIPELINE: readonly PipelineStep[] = [
  {
    stage: 'access',
    enabled: (policy) => policy.network !== undefined,
    onError: () => 'closed',
    run: (policy, ctx) => policy.network!(ctx),
  },
  {
    stage: 'access',
    enabled: (policy) => policy.options.access.enabled,
    onError: (policy) => policy.options.access.onError,
    run: (policy, ctx) => policy.access.run(ctx),
  },
  {
    // Failed-attempt delays are checked once the credential is known: a valid credential passes a
    // delayed address (behind a shared proxy it is everyone's) unless its identity is delayed.
    stage: 'rate',
    alsoSkippedWith: 'access',
    enabled: (policy) => lockoutEnabled(policy.options),
    onError: (policy) => policy.options.rate.onError,
    run: (policy, ctx) => policy.rate.lockout(ctx),
  },
  {
    stage: 'rate',
    enabled: (policy) => policy.options.rate.enabled,
    onError: (policy) => policy.options.rate.onError,
    run: (policy, ctx) => policy.rate.run(ctx, true),
  },
  {
    stage: 'validation',
    enabled: (policy) => policy.options.validation.enabled,
    onError: (policy) => policy.options.validation.onError,
    run: (policy, ctx) => runValidation(ctx, policy.options.validation),
  },
  {
    stage: 'detection',
    enabled: (policy) => policy.options.detection.enabled,
    onError: (policy) => policy.options.detection.onError,
    run: (policy, ctx) => policy.detection.run(ctx, policy.key) as Promise<undefined> | undefined,
  },
];

const lockoutEnabled = (options: ResolvedOptions): boolean =>
  options.rate.enabled && options.rate.failedAttempts !== false;

const now: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function'
    ? () => performance.now()
    : () => Date.now();

/**
 * One risk per request: the scorers' signals plus, per other stage, its strongest finding, combined by
 * `combineRisk` (the strongest part, raised by corroborating parts; see detection/behavior-risk.ts).
 * Detection findings only explain their signals and are not counted again.
 */
function combine(ctx: RequestContext): number {
  // Most requests have no signal and no finding outside detection: nothing to combine, nothing to
  // allocate (issue 15). combineRisk of no parts is 0.
  let others = false;
  for (const finding of ctx.findings) {
    if (finding.source !== 'detection') {
      others = true;
      break;
    }
  }
  if (!others && ctx.signals.length === 0) return 0;
  const parts: RiskPart[] = [...ctx.signals];
  if (others) {
    const strongest = new Map<string, number>();
    for (const finding of ctx.findings) {
      if (finding.source === 'detection') continue;
      const score = finding.score ?? scoreFromSeverity(finding.severity);
      if (score > (strongest.get(finding.source) ?? 0)) strongest.set(finding.source, score);
    }
    for (const [source, score] of strongest) parts.push({ source, score });
  }
  return Math.round(combineRisk(parts) * 1000) / 1000;
}

/**
 * Creates a shield. Options are validated here, once; invalid options throw `AiShieldConfigError`.
 * @example
 * const shield = createShield({ rate: { perIp: { points: 60 } } });
 * const decision = await shield.protect({ method: 'POST', path: '/v1/chat', headers, socketIp, bodyText });
 * if (isDenied(decision)) return toProblem(decision);
 */
export function createShield(given: ShieldOptions = {}): Shield {
  const input = withSharedRateStore(given);
  const { options, routes, notices } = resolveOptions(input);
  const stores = options.stores ?? {};
  const logger = options.logger ?? consoleLogger;
  for (const notice of notices) logger.warn(notice);
  const resolveIp = createClientIpResolver(options.trustProxy, { ipv6Subnet: options.ipv6Subnet });
  const warnUntrustedProxy = untrustedProxyWarning(options, logger);
  // Counters for the dashboard and /metrics, and OpenTelemetry when the app registered an SDK.
  const telemetry = createTelemetry(options, () => monitor.auditLog?.stats);
  // Audit log, incidents and alerts (audit/, incidents/, alerts/): nothing starts until first use.
  // One guard per store connection, shared by every stage and store on it (rate/store-guard.ts).
  const guards = createStoreGuards();
  const monitor = createSecurityMonitor(options, logger, {
    onIncident: telemetry.incident,
    wrapSink: telemetry.wrapAuditSink,
    shared: {
      ...(stores.incidents ? { incidents: stores.incidents } : {}),
      ...(stores.alerts ? { alerts: stores.alerts } : {}),
      guards,
      storeTimeoutMs: options.rate.storeTimeoutMs,
    },
  });

  let canaryToken: string | undefined;
  // Bumped when the canary is created, so checkers compiled before pick it up.
  let outputGeneration = 0;
  const compileOutput = (resolved: ResolvedOptions): (() => ResponseChecker) => {
    let checker: ResponseChecker | undefined;
    let generation = -1;
    return () => {
      if (!checker || generation !== outputGeneration) {
        const { enabled: _enabled, onError: _onError, ...output } = resolved.output;
        const canaries = canaryToken ? [...output.leak.canaries, canaryToken] : output.leak.canaries;
        checker = createResponseChecker({ ...output, leak: { ...output.leak, canaries } });
        generation = outputGeneration;
      }
      return checker;
    };
  };
  // One in-memory store per shield (created on first use), and one guard per store: a store that
  // stopped answering is skipped by every stage at once (rate/store-guard.ts).
  let memoryStore: RateStore | undefined;
  const memory = () => (memoryStore ??= createMemoryStore({ maxKeys: options.rate.maxClients }));
  const storeFor = (resolved: ResolvedOptions) => () => resolved.rate.store ?? memory();
  // Key imports, JWKS caches, the replay store and API key rings, shared by every policy of this shield.
  const accessShared = createAccessShared(logger, {
    ...(stores.nonce ? { nonce: stores.nonce } : {}),
    guards,
    storeTimeoutMs: options.rate.storeTimeoutMs,
    onStoreError: options.rate.onStoreError,
  });
  const policies = new Map<string, Policy>();
  // Budgets and in-flight leases: one in-memory store per shield, one stage per scope (issue 19).
  let budgetMemory: BudgetStore | undefined;
  // Cost accounting: spend per subject and hour (overspend incidents), totals per model.
  let spendTracker: ReturnType<typeof createSpendTracker> | undefined;
  const spendAlert = options.budget.spendAlert;
  const spend = () =>
    (spendTracker ??= createSpendTracker(
      spendAlert === false ? { factor: Infinity, minTokens: Infinity, maxSubjects: 1 } : spendAlert,
    ));
  const onSettled = (state: BudgetState) => {
    const tokens = state.input + state.output;
    const cost = state.cost ?? 0;
    spend().model(state.model ?? 'unknown', state.input, state.output, cost);
    const over = spendAlert === false ? undefined : spend().record(state.subject, tokens, cost);
    if (over) {
      monitor.logIncident({
        type: 'budget_overspend',
        severity: 'high',
        clientIp: state.clientIp,
        ...(state.identity ? { identity: state.identity } : {}),
        details: {
          subject: over.subject,
          tokensThisHour: over.tokens,
          usualTokensPerHour: over.usual,
          ratio: over.ratio,
          ...(over.cost > 0 ? { costThisHour: Math.round(over.cost * 1e6) / 1e6 } : {}),
          ...(state.model ? { model: state.model } : {}),
        },
      });
    }
    if (options.budget.auditUsage) {
      monitor.recordUsage({
        clientIp: state.clientIp,
        ...(state.identity ? { identity: state.identity } : {}),
        data: {
          subject: state.subject,
          input: state.input,
          output: state.output,
          ...(state.model ? { model: state.model } : {}),
          ...(state.cost !== undefined ? { cost: state.cost } : {}),
        },
      });
    }
  };
  const consumptionShared = {
    guards,
    memory: () => (budgetMemory ??= createMemoryBudgetStore({ maxKeys: options.rate.maxClients })),
    storeTimeoutMs: options.rate.storeTimeoutMs,
    logger,
    onSettled,
  };
  const consumptionByScope = new Map<string, ConsumptionStage>();
  const consumptionFor = (scope: string, resolved: ResolvedOptions, own: boolean): ConsumptionStage => {
    const key = own ? scope : 'g';
    let stage = consumptionByScope.get(key);
    if (!stage) {
      stage = createConsumptionStage(resolved.budget, resolved.concurrency, key, consumptionShared);
      consumptionByScope.set(key, stage);
    }
    return stage;
  };
  const compile = (
    key: string,
    resolved: ResolvedOptions,
    ownRate = true,
    ownConsumption = key === '*',
  ): Policy => {
    const compiled: Policy = {
      key,
      options: resolved,
      ownRate,
      loosens: loosens(resolved, options),
      access: createAccessStage(
        resolved.access,
        accessShared,
        key === '*' ? 'access' : `routes["${key}"].access`,
      ),
      rate: createRateStage(resolved.rate, key === '*' ? 'g' : key, guards, memory),
      detection: createDetectionStage(resolved.detection, storeFor(resolved), {
        guards,
        storeTimeoutMs: resolved.rate.storeTimeoutMs,
        ...(stores.behavior ? { behavior: stores.behavior } : {}),
        ...(stores.baselines ? { baselines: stores.baselines } : {}),
      }),
      output: compileOutput(resolved),
      network: createNetworkCheck(resolved.network),
      consumption: consumptionFor(key === '*' ? 'g' : key, resolved, ownConsumption),
    };
    policies.set(key, compiled);
    return compiled;
  };

  const globalPolicy = compile('*', options);
  // Routes that do not override `rate` share the global counters: one budget per client, not per route.
  const routeTable = createRouteTable(
    [...routes].map(([key, resolved]): [string, Policy] => {
      const override = (input as { routes?: Record<string, Record<string, unknown>> }).routes?.[key] ?? {};
      const policy = compile(
        key,
        resolved,
        'rate' in override,
        'budget' in override || 'concurrency' in override,
      );
      return [key, policy.ownRate ? policy : { ...policy, rate: globalPolicy.rate }];
    }),
  );

  let adHocPolicies = 0;
  function policy(overrides: RouteOverrides, key = `route#${++adHocPolicies}`): Policy {
    const { env, routes: _routes, ...globals } = input;
    const merged = deepMerge(globals, overrides);
    const resolved = resolveOptions({ ...merged, env } as ShieldOptions).options;
    const compiled = compile(
      key,
      resolved,
      'rate' in overrides,
      'budget' in overrides || 'concurrency' in overrides,
    );
    return compiled.ownRate ? compiled : { ...compiled, rate: globalPolicy.rate };
  }

  async function runStage(
    stage: StageName,
    ctx: RequestContext,
    run: () => Block | undefined | Promise<Block | undefined>,
    onError: 'open' | 'closed',
  ): Promise<Block | undefined> {
    try {
      return await run();
    } catch (error) {
      return stageFailed(stage, ctx, error, onError);
    }
  }

  /** A stage threw: recorded in `failures`, then passed (`open`) or refused with 503 (`closed`). */
  function stageFailed(
    stage: StageName,
    ctx: RequestContext,
    error: unknown,
    onError: 'open' | 'closed',
  ): Block | undefined {
    const code = (error as { code?: string }).code ?? (error as Error)?.name ?? 'Error';
    const message = (error as Error)?.message ?? String(error);
    ctx.failures.push({ stage, policy: onError, error: code, message });
    logger.error(`${stage} stage failed (policy: fail ${onError})`, { error: code, message });
    if (onError === 'open') return undefined;
    return {
      status: 503,
      code: 'ERR_STAGE_FAILED',
      reason: `The ${stage} check is temporarily unavailable`,
    };
  }

  /**
   * Runs one step of {@link PIPELINE}; a stage that throws or rejects is handled as in {@link runStage}.
   * A stage that answers synchronously (validation, the in-memory rate store) is not wrapped in a
   * promise: no allocation, no extra microtask per stage (issue 15).
   */
  function runStep(
    step: PipelineStep,
    ctx: ConsumptionContext,
    active: Policy,
    onError: 'open' | 'closed',
  ): Block | undefined | Promise<Block | undefined> {
    try {
      const result = step.run(active, ctx);
      if (isPromise<Block | undefined>(result)) {
        return result.then(
          (block) => block ?? undefined,
          (error: unknown) => stageFailed(step.stage, ctx, error, onError),
        );
      }
      return result ?? undefined;
    } catch (error) {
      return stageFailed(step.stage, ctx, error, onError);
    }
  }

  /**
   * protect() resolves even when the pipeline itself breaks (a bug, not a verdict): every adapter then
   * answers the same fail-closed 503 instead of each catching it its own way.
   */
  async function protect(req: ShieldRequest, protectOptions: ProtectOptions = {}): Promise<Decision> {
    try {
      return await runPipeline(req, protectOptions);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      logger.error('the pipeline threw; refusing the request', { message });
      const refused: Decision = {
        action: 'block',
        status: 503,
        code: 'ERR_STAGE_FAILED',
        reasons: [ERROR_CODES.ERR_STAGE_FAILED.title],
        findings: [],
        risk: { score: 0, severity: 'low' },
        requestId: protectOptions.requestId ?? protectOptions.outer?.requestId ?? crypto.randomUUID(),
        mode: 'enforce',
        failures: [{ stage: 'access', policy: 'closed', error: (error as Error)?.name ?? 'Error', message }],
        timings: { total: 0 },
        headers: {},
        clientIp: req?.socketIp ?? 'unknown',
      };
      telemetry.decision(refused, undefined);
      return refused;
    }
  }

  async function runPipeline(req: ShieldRequest, given: ProtectOptions): Promise<Decision> {
    const started = now();
    const protectOptions: ProtectOptions = given.outer
      ? {
          requestId: given.outer.requestId,
          skipStages: given.policy?.ownRate ? ['access'] : ['access', 'rate'],
          ...given,
        }
      : given;
    if (warnUntrustedProxy) warnUntrustedProxy(req);
    const findings: Finding[] = [];
    const found = protectOptions.policy ? undefined : routeTable.match(req.method, req.path);
    // A spelling the framework may route elsewhere (case, slashes, escapes, dot segments) gets the
    // route's policy only if that policy is at least as strict as the global one: fail closed.
    const matched = found && !found.exact && found.value.loosens ? undefined : found;
    if (found && !found.exact) {
      // Informational: trailing slashes and capitals are common in honest clients, so no risk is added.
      findings.push({
        kind: 'request.path_variant',
        severity: 'low',
        score: 0,
        source: 'validation',
        message: `Path matches route "${found.key}" only once normalised${matched ? '' : "; the route's exemptions apply to its exact spelling only"}`,
      });
    }
    const active = protectOptions.policy ?? matched?.value ?? globalPolicy;
    const opts = active.options;
    const incomingId = options.trustProxy !== false ? req.headers[options.requestIdHeader] : undefined;
    const requestId =
      protectOptions.requestId ??
      (incomingId && REQUEST_ID.test(incomingId) ? incomingId : crypto.randomUUID());
    const client = resolveIp(req.socketIp, req.headers);
    if (client.finding) findings.push(client.finding);
    const ctx: ConsumptionContext = {
      req,
      clientIp: client.ip,
      clientKey: client.key,
      body: req.body,
      findings,
      signals: [],
      headers: { [options.requestIdHeader]: requestId },
      failures: [],
    };
    const timings: Decision['timings'] = { total: 0 };
    const skip = protectOptions.skipStages;
    let blocked: { block: Block; stage: StageName } | undefined =
      found?.conflict !== undefined ? { block: PATH_CONFLICT, stage: 'validation' } : undefined;
    if (blocked) {
      findings.push({
        kind: 'request.path_ambiguous',
        severity: 'medium',
        source: 'validation',
        message: `Path selects route "${found!.key}" or "${found!.conflict}" depending on how ";" is read`,
      });
    }

    if (!opts.skip && !blocked) {
      // Refused credentials from a delayed address or identity get the delay (see PIPELINE's lockout).
      const lockoutOn = lockoutEnabled(opts) && !skip?.includes('rate') && !skip?.includes('access');
      // An indexed loop over a table built once, not an array of closures built per request (issue 15:
      // the pipeline's own allocations were a quarter of its garbage).
      for (let index = 0; index < PIPELINE.length; index++) {
        const step = PIPELINE[index]!;
        const stage = step.stage;
        if (!step.enabled(active) || skip?.includes(stage)) continue;
        if (step.alsoSkippedWith && skip?.includes(step.alsoSkippedWith)) continue;
        const stageStart = now();
        const ran = runStep(step, ctx, active, step.onError(active));
        const block = isPromise(ran) ? await ran : ran;
        timings[stage] = (timings[stage] ?? 0) + now() - stageStart;
        if (block) {
          blocked = { block, stage };
          // Refused credentials from a delayed address or identity get the delay, not another 401.
          if (stage === 'access' && lockoutOn) {
            const delayed = await runStage('rate', ctx, () => active.rate.lockout(ctx), opts.rate.onError);
            if (delayed) blocked = { block: delayed, stage: 'rate' };
          }
          break;
        }
      }
    }

    const score = combine(ctx);
    let action: Decision['action'] = 'allow';
    let status: Decision['status'] = 200;
    let code: Decision['code'];
    const reasons: string[] = [];
    if (blocked) {
      action = 'block';
      status = blocked.block.status;
      code = blocked.block.code;
      reasons.push(blocked.block.reason);
    } else if (opts.detection.enabled && score >= opts.detection.blockThreshold) {
      action = 'block';
      status = 403;
      code = 'ERR_DETECTION_THREAT';
      reasons.push(`Risk score ${score} is at or above the block threshold ${opts.detection.blockThreshold}`);
      blocked = { block: { status, code, reason: reasons[0]! }, stage: 'detection' };
    } else if (score >= opts.detection.flagThreshold) {
      action = 'flag';
      reasons.push(`Risk score ${score} is at or above the flag threshold ${opts.detection.flagThreshold}`);
    }
    // Budgets and in-flight slots last, once nothing else refuses: a refused request reserves nothing.
    // An outer middleware that reserved for this request already did so for its route policy too.
    const consumptionDone = given.outer
      ? Boolean(given.outer.budget || given.outer.lease) || active.consumption === globalPolicy.consumption
      : skip?.includes('rate') === true;
    if (!blocked && !opts.skip && active.consumption.active && !consumptionDone) {
      const stageStart = now();
      const block = await runStage('rate', ctx, () => active.consumption.run(ctx), opts.rate.onError);
      timings.rate = (timings.rate ?? 0) + now() - stageStart;
      if (block) {
        blocked = { block, stage: 'rate' };
        action = 'block';
        status = block.status;
        code = block.code;
        reasons.length = 0;
        reasons.push(block.reason);
      }
    }
    for (const finding of ctx.findings) {
      if (reasons.length >= 5) break;
      if (finding.severity !== 'low' && !reasons.includes(finding.message)) reasons.push(finding.message);
    }

    const failed = opts.rate.failedAttempts;
    if (blocked && failed !== false && failed.countStages.includes(blocked.stage) && opts.rate.enabled) {
      try {
        await active.rate.recordFailure(ctx);
      } catch (error) {
        ctx.failures.push({
          stage: 'rate',
          policy: 'open',
          error: 'Error',
          message: (error as Error).message,
        });
      }
    }

    if (opts.detection.enabled && !opts.skip) active.detection.recordOutcome(ctx, action === 'block');
    const risk: Decision['risk'] = { score, severity: severityFromScore(score) };
    if (ctx.textScore !== undefined) risk.detection = ctx.textScore;
    timings.total = now() - started;
    // Built once, member by member in the published order (no spread temporaries, issue 15).
    const decision = { action, status } as Decision;
    if (code) decision.code = code;
    decision.reasons = reasons;
    if (blocked?.block.errors) decision.errors = blocked.block.errors;
    decision.findings = ctx.findings;
    decision.risk = risk;
    decision.requestId = requestId;
    decision.mode = opts.mode;
    if (opts.mode === 'monitor' && blocked?.block.bodyUnusable) decision.enforced = true;
    decision.failures = ctx.failures;
    decision.timings = timings;
    decision.headers = ctx.headers;
    decision.clientIp = ctx.clientIp;
    if (ctx.identity) decision.identity = ctx.identity;
    if (ctx.body !== req.body) decision.body = ctx.body;
    if (ctx.budget) decision.budget = ctx.budget;
    if (ctx.lease) decision.lease = ctx.lease;
    if (matched) decision.route = matched.key;
    else if (protectOptions.policy) decision.route = protectOptions.policy.key;
    // The one place a decision is recorded for telemetry; a route policy's decision is folded into the outer one.
    if (!opts.skip) telemetry.decision(decision, given.outer);
    if (options.onDecision) {
      try {
        options.onDecision(decision, req);
      } catch (error) {
        logger.error('onDecision hook threw', { message: (error as Error).message });
      }
    }
    try {
      // By default waits until a refusal's entry is on stable storage (audit.acknowledge), at most
      // audit.budgetMs: a client never sees a refusal that a crash could then erase from the log.
      const pending = monitor.recordDecision(decision, req, protectOptions.skipStages !== undefined);
      if (pending) await pending;
    } catch (error) {
      logger.error('recording the decision failed', { message: (error as Error).message });
    }
    return decision;
  }

  const policyFor = (decision?: Decision, explicit?: Policy): Policy =>
    explicit ?? (decision?.route ? policies.get(decision.route) : undefined) ?? globalPolicy;

  /** The one place a response check is recorded: telemetry counters, then incidents and the audit log. */
  function recordResponse(decision: Decision | undefined, check: ResponseCheck): void {
    telemetry.response(decision, check);
    monitor.recordResponse(decision, check);
  }

  const consumptionOf = (scope: string) => consumptionByScope.get(scope);

  /** Settles the reservation from a complete body: its `usage`, else its text counted. Never throws. */
  function settleBody(
    decision: Decision | undefined,
    status: number,
    body: unknown,
    headers?: ShieldResponse['headers'],
  ): void {
    const state = decision?.budget;
    const stage = state && !state.settled ? consumptionOf(state.scope) : undefined;
    if (!state || !stage) return;
    // One event of a stream checked event by event: counted now, settled by finish() at the end.
    if (headers?.['content-type']?.startsWith('text/event-stream')) {
      countEvent(stage, state, body);
      return;
    }
    settleFromBody(stage, state, status, body).catch((error) =>
      logger.error('settling a token reservation failed', { message: (error as Error).message }),
    );
  }

  async function finish(decision: Decision | undefined): Promise<void> {
    if (!decision) return;
    try {
      const { budget: state, lease } = decision;
      if (state && !state.settled && !state.settling) {
        const stage = consumptionOf(state.scope);
        // Output counted from a stream that ended early (client gone) settles on what was sent; a
        // response nobody measured keeps its reservation.
        if (stage && state.counted) await stage.settle(state, { output: state.output });
        else state.settled = true;
      }
      if (lease && !lease.released) await consumptionOf(lease.scope)?.release(lease);
    } catch (error) {
      logger.error('finishing a request failed', { message: (error as Error).message });
    }
  }

  function checkResponse(response: ShieldResponse, decision?: Decision, explicit?: Policy): ResponseCheck {
    settleBody(decision, response.status, response.body, response.headers);
    const check = runResponseChecks(response, decision, explicit);
    recordResponse(decision, check);
    return check;
  }

  function runResponseChecks(
    response: ShieldResponse,
    decision?: Decision,
    explicit?: Policy,
  ): ResponseCheck {
    const active = policyFor(decision, explicit);
    const passThrough: ResponseCheck = {
      action: 'allow',
      body: response.body,
      modified: false,
      findings: [],
    };
    if (!active.options.output.enabled || active.options.skip) return passThrough;
    try {
      return active.output().check(response);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      logger.error(`response checks failed (policy: fail ${active.options.output.onError})`, { message });
      const finding = {
        kind: 'response.check_failed',
        severity: 'medium' as const,
        source: 'response' as const,
        message: 'Response checks failed unexpectedly',
      };
      if (active.options.output.onError === 'open') return { ...passThrough, findings: [finding] };
      return {
        action: 'block',
        body: undefined,
        modified: true,
        findings: [finding],
        status: 502,
        code: 'ERR_RESPONSE_BLOCKED',
      };
    }
  }

  function createResponseStream(
    kind: 'sse' | 'text',
    decision?: Decision,
    hooks?: StreamHooks,
    explicit?: Policy,
  ): TransformStream<Uint8Array, Uint8Array> {
    const active = policyFor(decision, explicit);
    const state = decision?.budget;
    const stage = state && !state.settled ? consumptionOf(state.scope) : undefined;
    const meter = state && stage ? createBudgetMeter(stage, state, active.options.budget, kind) : undefined;
    if (!active.options.output.enabled || active.options.skip) return meter ?? new TransformStream();
    const filter = active.output().createStream(kind, {
      ...hooks,
      onEnd: (summary) => {
        recordResponse(decision, {
          action: summary.action,
          findings: summary.findings,
          body: undefined,
          modified: false,
        });
        hooks?.onEnd?.(summary);
      },
    });
    // Masking first, then metering: a stream cut for its budget ends with the meter's final event.
    return meter ? { writable: filter.writable, readable: filter.readable.pipeThrough(meter) } : filter;
  }

  function canary(): string {
    if (!canaryToken) {
      canaryToken = createCanary();
      outputGeneration++;
    }
    return canaryToken;
  }

  return {
    protect,
    policy,
    options,
    checkResponse,
    createResponseStream,
    canary,
    logIncident: monitor.logIncident,
    getIncidentSummary: monitor.getIncidentSummary,
    recordResponse,
    finish,
    spendByModel: () => spend().models(),
    telemetry: { snapshot: telemetry.snapshot, prometheus: telemetry.prometheus },
    flush: monitor.flush,
    close: monitor.close,
  };
}

/**
 * `stores.rate` becomes `rate.store` (unless one is given), before the options are resolved, so that
 * route policies compiled from the same input share it.
 */
function withSharedRateStore(input: ShieldOptions): ShieldOptions {
  const rateStore = (input.stores as { rate?: RateStore } | undefined)?.rate;
  if (!rateStore || input.rate?.store) return input;
  return { ...input, rate: { ...input.rate, store: rateStore } };
}

/**
 * Folds a route policy's decision into the decision of an outer (global) middleware: findings and
 * failures accumulate, the stricter action and the higher risk win.
 */
export function mergeDecisions(outer: Decision, inner: Decision): Decision {
  const rank = { allow: 0, flag: 1, block: 2 } as const;
  return {
    ...inner,
    requestId: outer.requestId,
    action: rank[inner.action] >= rank[outer.action] ? inner.action : outer.action,
    reasons: [...inner.reasons, ...outer.reasons.filter((reason) => !inner.reasons.includes(reason))],
    findings: [...outer.findings, ...inner.findings],
    failures: [...outer.failures, ...inner.failures],
    headers: { ...outer.headers, ...inner.headers },
    ...(inner.budget || outer.budget ? { budget: inner.budget ?? outer.budget } : {}),
    ...(inner.lease || outer.lease ? { lease: inner.lease ?? outer.lease } : {}),
    risk: inner.risk.score >= outer.risk.score ? inner.risk : outer.risk,
    timings: { ...inner.timings, total: outer.timings.total + inner.timings.total },
  };
}

/**
 * True when the adapter must refuse the request: a block in enforce mode, or in monitor mode when the
 * shield could not read or parse the body (`decision.enforced`).
 */
export function isDenied(decision: Decision): boolean {
  return decision.action === 'block' && (decision.mode === 'enforce' || decision.enforced === true);
}

/** RFC 9457 problem details for a denied decision. No stack traces, no request content. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId: string;
  errors?: Array<{ path: string; message: string }>;
}

/** Builds the `application/problem+json` body for a denied decision. */
export function toProblem(decision: Decision): Problem {
  const code = decision.code ?? 'ERR_STAGE_FAILED';
  return {
    type: `urn:ai-shield:error:${code}`,
    title: ERROR_CODES[code].title,
    status: decision.status,
    code,
    detail: decision.reasons[0] ?? ERROR_CODES[code].title,
    requestId: decision.requestId,
    ...(decision.errors ? { errors: decision.errors } : {}),
  };
}

/** The problem body sent instead of a response withheld by the output checks. */
export function toResponseProblem(check: ResponseCheck, requestId: string): Problem {
  const status = check.status ?? ERROR_CODES.ERR_RESPONSE_BLOCKED.status;
  const code = check.code ?? 'ERR_RESPONSE_BLOCKED';
  return {
    type: `urn:ai-shield:error:${code}`,
    title: ERROR_CODES[code].title,
    status,
    code,
    detail: 'The response was withheld by the output checks',
    requestId,
  };
}

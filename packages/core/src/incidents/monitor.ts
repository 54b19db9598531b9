/**
 * Wires auditing, incidents and alerting behind the shield: the pipeline hands over each decision and
 * response check; this turns them into audit entries, incidents and alerts, off the request path except
 * for `audit.acknowledge`: by default `protect()` waits (at most `audit.budgetMs`) until a refusal's
 * entry is on stable storage, so that no refusal a client received can be missing after a crash.
 * @module
 */
import { createAlertDispatcher } from '../alerts/dispatcher.js';
import { createAlertEngine } from '../alerts/rules.js';
import type { Alert } from '../alerts/types.js';
import type { AlertWindowStore } from '../alerts/window-store.js';
import { type AuditLog, createAuditLog } from '../audit/log.js';
import { createMemorySink } from '../audit/memory-sink.js';
import { decisionRecord, responseRecord } from '../audit/summarize.js';
import type { AuditRecord, AuditSink } from '../audit/types.js';
import type { ResolvedOptions, ShieldLogger } from '../config/schema.js';
import type { StoreGuards } from '../rate/store-guard.js';
import type { Decision, ResponseCheck, ShieldRequest } from '../types.js';
import { incidentFromResponse, incidentsFromDecision } from './derive.js';
import { createMemoryIncidentStore } from './memory-store.js';
import { type IncidentSummary, type IncidentSummaryOptions, summarizeIncidents } from './summary.js';
import type { Incident, IncidentInput, IncidentStore } from './types.js';

export interface SecurityMonitor {
  /** Records a decision; returns a promise only when `audit.acknowledge` asks the caller to wait. */
  recordDecision(decision: Decision, request: ShieldRequest, nested: boolean): Promise<unknown> | undefined;
  recordResponse(decision: Decision | undefined, check: ResponseCheck): void;
  logIncident(input: IncidentInput): Incident;
  /** Writes a `usage` entry (tokens, model, cost of one settled request) to the audit log. */
  recordUsage(entry: { clientIp: string; identity?: string; data: Record<string, unknown> }): void;
  getIncidentSummary(options?: IncidentSummaryOptions): Promise<IncidentSummary>;
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly auditLog: AuditLog | undefined;
}

const RANK = { allow: 0, flag: 1, block: 2 } as const;

const describe = (error: unknown) =>
  error instanceof Error
    ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
    : String(error);

/** Where the monitor reports to besides its own store: the shield's telemetry. */
export interface MonitorHooks {
  /** Called with every incident recorded. */
  onIncident?(incident: Incident): void;
  /** Wraps the audit sink (the telemetry follows the chain through it). */
  wrapSink?(sink: AuditSink): AuditSink;
  /** Stores shared by a fleet (`stores.incidents`, `stores.alerts`), called through the shield's guards. */
  shared?: {
    incidents?: IncidentStore;
    alerts?: AlertWindowStore;
    guards: StoreGuards;
    storeTimeoutMs: number;
  };
}

/** Creates the monitor for resolved shield options. Cheap: sinks, hashing and timers start on first use. */
export function createSecurityMonitor(
  options: ResolvedOptions,
  logger: ShieldLogger,
  hooks: MonitorHooks = {},
): SecurityMonitor {
  const { audit, incidents: incidentOptions, alerts } = options;
  // Workers refuse random values at global scope, where apps often create the shield: the instance id is
  // drawn on first use (the audit log and alert engine read `options.instance` only when they write).
  let instanceId: string | undefined;
  const instance = () => (instanceId ??= audit.instance ?? crypto.randomUUID().slice(0, 8));
  const model = options.modelName;
  if (audit.enabled && !audit.sink && (audit.path || audit.dir)) {
    logger.warn(
      'audit.path / audit.dir (AI_SHIELD_AUDIT_LOG_PATH / AI_SHIELD_SECURITY_LOG_PATH) is set but no audit.sink: entries stay in memory. Wrap your options with withNodeSinks() from @ai-shield/core/node, or pass audit.sink: createFileSink(...).',
    );
  }
  if (alerts.enabled && alerts.email && !alerts.channels.some((channel) => channel.name === 'email')) {
    logger.warn(
      'alerts.email (AI_SHIELD_SMTP_SERVER) is set but no email channel: wrap your options with withNodeSinks() from @ai-shield/core/node, or add createSmtpAlerter() to alerts.channels.',
    );
  }
  const local = incidentOptions.store ?? createMemoryIncidentStore(incidentOptions);
  const shared = hooks.shared;
  const sharedIncidents = incidentOptions.store ? undefined : shared?.incidents;
  const store: IncidentStore = sharedIncidents ? guardedIncidents(sharedIncidents) : local;
  /** Set while the shared incident store fails: summaries then cover this instance only. */
  let incidentStoreError: string | undefined;
  let storeWarnedAt = Number.NEGATIVE_INFINITY;
  const storeFailed = (what: string, error: unknown) => {
    incidentStoreError = describe(error);
    const at = Date.now();
    if (at - storeWarnedAt >= 60_000) {
      storeWarnedAt = at;
      logger.warn(`${what}: shared store unavailable, using this instance's memory`, {
        error: incidentStoreError,
      });
    }
  };

  /**
   * The shared incident store behind the shield's guard: every incident is also kept in this instance's
   * memory (insurance), written to the shared store off the request path, and summaries read the shared
   * store, or this instance's memory while it fails (the summary says so in `partial`).
   */
  function guardedIncidents(remote: IncidentStore): IncidentStore {
    const guard = shared!.guards(
      remote.backend
        ? { kind: remote.kind ?? 'shared', backend: remote.backend }
        : remote.kind
          ? (remote as { kind: string })
          : { kind: 'shared' },
    );
    const probe = async () => remote.since(Number.MAX_SAFE_INTEGER);
    return {
      add(incident) {
        void local.add(incident);
        return guard
          .call(async () => remote.add(incident), probe, shared!.storeTimeoutMs)
          .catch((error) => storeFailed('incident store', error));
      },
      async since(since) {
        try {
          const incidents = await guard.call(async () => remote.since(since), probe, shared!.storeTimeoutMs);
          incidentStoreError = undefined;
          return incidents;
        } catch (error) {
          storeFailed('incident summary', error);
          return local.since(since);
        }
      },
    };
  }
  const seen = new Map<string, number>();
  let lateWarnedAt = Number.NEGATIVE_INFINITY;

  const wrapSink = hooks.wrapSink ?? ((sink: AuditSink) => sink);
  const auditLog: AuditLog | undefined = audit.enabled
    ? createAuditLog({
        sink: wrapSink(audit.sink ?? createMemorySink()),
        get instance() {
          return instance();
        },
        model,
        maxQueue: audit.maxQueue,
        checkpoints: audit.checkpoints,
        ...(audit.hmacKey ? { hmacKey: audit.hmacKey } : {}),
        onError: (error, info) => {
          if (error === undefined) {
            logger.warn(`audit log writes recovered after ${info.failures} failed attempts`);
            return;
          }
          logger.error('audit log write failed; retrying with back-off', { error: describe(error) });
          record(
            {
              id: crypto.randomUUID(),
              ts: Date.now(),
              type: 'audit_failure',
              severity: 'critical',
              source: 'auto',
              details: { error: describe(error) },
            },
            true,
          );
        },
      })
    : undefined;

  const append = (entry: AuditRecord) => auditLog?.append(entry);

  const dispatcher =
    alerts.enabled && alerts.channels.length > 0
      ? createAlertDispatcher({
          channels: alerts.channels,
          retries: alerts.retries,
          backoffMs: alerts.backoffMs,
          timeoutMs: alerts.timeoutMs,
          maxPending: alerts.maxPending,
          onDelivered: (alert, channel, attempts) =>
            void append({ type: 'alert.sent', data: { alert: alertRef(alert), channel, attempts } }),
          onUndeliverable: (alert, channel, error, attempts) => {
            logger.error(`alert could not be delivered through ${channel}`, { rule: alert.rule, error });
            void append({
              type: 'alert.undeliverable',
              data: { alert: alertRef(alert), channel, attempts, error },
            });
            record(
              {
                id: crypto.randomUUID(),
                ts: Date.now(),
                type: 'alert_failure',
                severity: 'high',
                source: 'auto',
                details: { channel, rule: alert.rule, error },
              },
              false,
            );
          },
        })
      : undefined;
  const engine = dispatcher
    ? createAlertEngine({
        rules: alerts.rules,
        model,
        get instance() {
          return instance();
        },
        onAlert: (alert) => dispatcher.dispatch(alert),
        ...(shared?.alerts
          ? {
              shared: shared.alerts,
              sharedGuard: shared.guards(shared.alerts),
              storeTimeoutMs: shared.storeTimeoutMs,
              onStoreError: (error: unknown) => storeFailed('alert windows', error),
            }
          : {}),
      })
    : undefined;

  /** Stores an incident and runs the alert rules. `auditIt`: write an `incident` entry (not derivable from another entry). */
  function record(incident: Incident, auditIt: boolean): void {
    if (!incidentOptions.enabled) return;
    hooks.onIncident?.(incident);
    try {
      const pending = store.add(incident);
      if (pending && typeof (pending as Promise<void>).then === 'function') {
        (pending as Promise<void>).catch((error) =>
          logger.error('incident store failed', { error: describe(error) }),
        );
      }
    } catch (error) {
      logger.error('incident store failed', { error: describe(error) });
    }
    engine?.observe(incident);
    if (auditIt) {
      void append({
        type: 'incident',
        ...(incident.requestId ? { requestId: incident.requestId } : {}),
        ...(incident.clientIp ? { clientIp: incident.clientIp } : {}),
        ...(incident.identity ? { identity: { id: incident.identity } } : {}),
        data: { ...incident },
      });
    }
  }

  function recordDecision(
    decision: Decision,
    request: ShieldRequest,
    nested: boolean,
  ): Promise<unknown> | undefined {
    const rank = RANK[decision.action];
    // A route policy re-runs checks for a request the global middleware already recorded: count it once.
    const before = seen.get(decision.requestId);
    if (nested && before !== undefined && before >= rank) return undefined;
    if (rank > 0) {
      seen.set(decision.requestId, rank);
      if (seen.size > 1024) seen.delete(seen.keys().next().value!);
    }
    const audited =
      !!auditLog &&
      (rank > 0 ||
        decision.failures.length > 0 ||
        (audit.sampleAllows > 0 && Math.random() < audit.sampleAllows));
    const noteworthy = incidentOptions.enabled && (rank > 0 || decision.failures.length > 0);
    if (!audited && !noteworthy) return undefined;
    const entry = decisionRecord(decision, request, audit.payloads, nested);
    if (noteworthy) {
      const meta = {
        ts: Date.now(),
        clientIp: decision.clientIp,
        requestId: decision.requestId,
        newId: () => crypto.randomUUID(),
        ...(decision.identity ? { identity: decision.identity.id } : {}),
      };
      for (const incident of incidentsFromDecision(entry.decision!, meta)) record(incident, false);
    }
    if (!audited) return undefined;
    const refusal = decision.action === 'block' && decision.mode === 'enforce';
    if (refusal && audit.acknowledge === 'refusals') entry.durable = true;
    const written = auditLog!.append(entry);
    const wait = audit.acknowledge === 'audited' || (refusal && audit.acknowledge === 'refusals');
    if (!wait || audit.budgetMs <= 0) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      written,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          const now = Date.now();
          if (now - lateWarnedAt >= 60_000) {
            lateWarnedAt = now;
            logger.warn(
              `an audit entry was not written within audit.budgetMs (${audit.budgetMs} ms); answering without waiting for it (it is still queued)`,
              { requestId: decision.requestId },
            );
          }
          resolve();
        }, audit.budgetMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  function recordResponse(decision: Decision | undefined, check: ResponseCheck): void {
    if (check.findings.length === 0 && check.action === 'allow') return;
    const incident = incidentFromResponse(
      {
        action: check.action,
        findings: check.findings,
        ...(decision?.route ? { route: decision.route } : {}),
      },
      {
        ts: Date.now(),
        newId: () => crypto.randomUUID(),
        ...(decision ? { clientIp: decision.clientIp, requestId: decision.requestId } : {}),
        ...(decision?.identity ? { identity: decision.identity.id } : {}),
      },
    );
    if (incident) record(incident, false);
    void append(responseRecord(decision, check, audit.payloads));
  }

  function logIncident(input: IncidentInput): Incident {
    const incident: Incident = {
      id: crypto.randomUUID(),
      ts: Date.now(),
      type: input.type,
      severity: input.severity ?? 'medium',
      source: 'app',
      ...(input.clientIp ? { clientIp: input.clientIp } : {}),
      ...(input.identity ? { identity: input.identity } : {}),
      ...(input.requestId ? { requestId: input.requestId } : {}),
      ...(input.route ? { route: input.route } : {}),
      ...(input.details ? { details: input.details } : {}),
    };
    record(incident, true);
    return incident;
  }

  function recordUsage(entry: { clientIp: string; identity?: string; data: Record<string, unknown> }): void {
    void append({
      type: 'usage',
      clientIp: entry.clientIp,
      ...(entry.identity ? { identity: { id: entry.identity } } : {}),
      data: entry.data,
    });
  }

  async function getIncidentSummary(summaryOptions: IncidentSummaryOptions = {}): Promise<IncidentSummary> {
    const now = summaryOptions.now ?? Date.now();
    const hours = summaryOptions.hours ?? 24;
    incidentStoreError = undefined;
    const incidents = await store.since(now - hours * 3_600_000);
    const summary = summarizeIncidents(incidents, { ...summaryOptions, now, hours });
    if (sharedIncidents && incidentStoreError) {
      summary.partial = `the shared incident store did not answer (${incidentStoreError}): this instance's incidents only`;
    }
    return summary;
  }

  async function flush(): Promise<void> {
    await dispatcher?.flush();
    await auditLog?.flush();
  }

  async function close(): Promise<void> {
    await engine?.flush();
    await dispatcher?.close();
    await auditLog?.close();
  }

  return {
    recordDecision,
    recordResponse,
    logIncident,
    recordUsage,
    getIncidentSummary,
    flush,
    close,
    auditLog,
  };
}

function alertRef(alert: Alert) {
  return {
    id: alert.id,
    rule: alert.rule,
    key: alert.key,
    severity: alert.severity,
    count: alert.count,
    phase: alert.phase,
  };
}

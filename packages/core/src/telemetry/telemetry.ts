/**
 * What the pipeline hands its decisions and response checks to: the recorder (dashboard, Prometheus),
 * the OpenTelemetry bridge, and the audit-chain watch. `shield.telemetry` is the read side.
 * @module
 */
import type { AuditStats } from '../audit/log.js';
import { redactValue } from '../audit/summarize.js';
import type { AuditSink } from '../audit/types.js';
import type { ResolvedOptions } from '../config/schema.js';
import type { Incident } from '../incidents/types.js';
import type { Decision, ResponseCheck } from '../types.js';
import { type AuditChainStatus, createAuditWatch } from './audit-watch.js';
import { createOtelBridge, type OtelBridge } from './otel.js';
import { toPrometheusText } from './prometheus.js';
import {
  createRecorder,
  INTERNAL_POLICY_PREFIX,
  type Recorder,
  type RecorderSnapshot,
  snapshotRecorder,
} from './recorder.js';

/** The audit log as the dashboard shows it. */
export interface AuditStatus extends AuditChainStatus {
  enabled: boolean;
  /** Entries written, waiting, dropped (queue full), failed writes (retried), checkpoints written. */
  stats?: AuditStats;
}

/** Everything the dashboard shows except the incident summary: plain JSON, no request content. */
export interface TelemetrySnapshot extends RecorderSnapshot {
  /** False when `telemetry.enabled` is off (every count is then zero). */
  enabled: boolean;
  now: string;
  model: string;
  mode: 'enforce' | 'monitor';
  /** The global detection thresholds, for reading the risk histogram. */
  thresholds: { flag: number; block: number };
  audit: AuditStatus;
  /**
   * The most recent incidents, newest first; repeats of one incident (same type, client, route, code...)
   * are folded into one entry with `count` and the time of the first, `firstTs`.
   */
  incidents: Array<Incident & { count: number; firstTs: number }>;
}

/** The read side of the shield's telemetry (`shield.telemetry`). */
export interface ShieldTelemetry {
  /**
   * Counters, histograms, top clients, audit status and recent incidents, as JSON. Incident `details`
   * (which the application chose in `logIncident`) are left out unless `incidentDetails` is set; then
   * secrets in them are redacted.
   */
  snapshot(options?: { incidentDetails?: boolean }): TelemetrySnapshot;
  /** The same counters as Prometheus text exposition (what `GET /metrics` serves). */
  prometheus(): string;
}

/** @internal The write side, used by the pipeline and the security monitor. */
export interface Telemetry extends ShieldTelemetry {
  decision(decision: Decision, outer: Decision | undefined): void;
  response(decision: Decision | undefined, check: ResponseCheck): void;
  incident(incident: Incident): void;
  wrapAuditSink(sink: AuditSink): AuditSink;
}

/**
 * Creates the telemetry of one shield. Cheap and side-effect free: fixed-size buffers, no timers.
 * `auditStats` reads the audit log's counters (undefined when auditing is off).
 */
export function createTelemetry(
  options: ResolvedOptions,
  auditStats: () => AuditStats | undefined,
): Telemetry {
  const { telemetry } = options;
  const recorder: Recorder | undefined = telemetry.enabled ? createRecorder(telemetry) : undefined;
  // With telemetry off, reads see one empty recorder (all zeros), made on the first read.
  let empty: Recorder | undefined;
  const readable = () => recorder ?? (empty ??= createRecorder(telemetry));
  const otel: OtelBridge | undefined =
    telemetry.enabled && telemetry.otel ? createOtelBridge(recorder!.state, auditStats) : undefined;
  const watch = createAuditWatch({
    ...(options.audit.hmacKey ? { hmacKey: options.audit.hmacKey } : {}),
    ...(options.audit.checkpoints.signingKey ? { signingKey: options.audit.checkpoints.signingKey } : {}),
  });

  function auditStatus(): AuditStatus {
    const chain = watch.status();
    const stats = auditStats();
    const troubled = stats && (stats.dropped > 0 || stats.writeFailures > 0);
    return {
      enabled: options.audit.enabled,
      ...chain,
      state: chain.state === 'broken' ? 'broken' : troubled ? 'warning' : chain.state,
      ...(stats ? { stats: { ...stats } } : {}),
    };
  }

  function snapshot(snapshotOptions: { incidentDetails?: boolean } = {}): TelemetrySnapshot {
    const now = Date.now();
    const recorded = snapshotRecorder(readable(), now);
    return {
      enabled: telemetry.enabled,
      now: new Date(now).toISOString(),
      model: options.modelName,
      mode: options.mode,
      thresholds: { flag: options.detection.flagThreshold, block: options.detection.blockThreshold },
      ...recorded,
      audit: auditStatus(),
      incidents: (recorder?.recentIncidents() ?? []).map(
        ({ incident: { details, ...incident }, count, firstTs }) =>
          snapshotOptions.incidentDetails && details
            ? { ...incident, count, firstTs, details: redactValue(details) as Record<string, unknown> }
            : { ...incident, count, firstTs },
      ),
    };
  }

  function prometheus(): string {
    const stats = auditStats();
    return toPrometheusText({
      state: readable().state,
      ...(stats ? { audit: { stats, chain: watch.status() } } : {}),
    });
  }

  return {
    decision(decision, outer) {
      if (!recorder) return;
      // The dashboard's own access checks are not traffic; their refusals are (someone probing it).
      if (decision.action === 'allow' && decision.route?.startsWith(INTERNAL_POLICY_PREFIX)) return;
      recorder.decision(decision, outer);
      if (!otel) return;
      try {
        otel.decision(decision);
      } catch {
        // A failing SDK or exporter must not fail the request; OpenTelemetry reports its own errors.
      }
    },
    response: (decision, check) => recorder?.response(decision, check),
    incident: (incident) => recorder?.incident(incident),
    wrapAuditSink: (sink) => watch.wrap(sink),
    snapshot,
    prometheus,
  };
}

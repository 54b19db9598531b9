/**
 * Prometheus text exposition (format 0.0.4) of the recorder's counters: what `GET /metrics` serves.
 * Written by hand rather than with prom-client because prom-client is Node-only and the core's main
 * entry runs on Workers too; the format is small and the test parses the output with an independent
 * parser.
 * @module
 */
import type { AuditStats } from '../audit/log.js';
import type { AuditChainStatus } from './audit-watch.js';
import type { FixedHistogram } from './histogram.js';
import { ACTIONS, PII_ACTIONS, type RecorderState, STAGES } from './recorder.js';

/** The content type of the exposition. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

/** Label values may hold any text: backslash, double quote and line feed are escaped. */
const escapeLabel = (value: string) => value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

const number = (value: number) =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);

function labelText(labels: Labels | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

class Writer {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    this.lines.push(`# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, value: number, labels?: Labels): this {
    this.lines.push(`${name}${labelText(labels)} ${number(value)}`);
    return this;
  }

  histogram(name: string, histogram: FixedHistogram, labels: Labels = {}): this {
    const counts = histogram.counts();
    let cumulative = 0;
    histogram.bounds.forEach((bound, i) => {
      cumulative += counts[i]!;
      this.sample(`${name}_bucket`, cumulative, { ...labels, le: String(bound) });
    });
    this.sample(`${name}_bucket`, histogram.count, { ...labels, le: '+Inf' });
    this.sample(`${name}_sum`, histogram.sum, labels);
    this.sample(`${name}_count`, histogram.count, labels);
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export interface PrometheusInput {
  state: RecorderState;
  audit?: { stats: AuditStats; chain: AuditChainStatus };
}

/**
 * Renders the exposition text.
 * @example
 * new Response(toPrometheusText({ state }), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE } });
 */
export function toPrometheusText({ state, audit }: PrometheusInput): string {
  const w = new Writer();
  w.family(
    'ai_shield_decisions_total',
    'counter',
    'Requests checked, by action, reason code and route policy.',
  );
  for (const byCode of state.cells.values()) {
    for (const cell of byCode.values()) {
      ACTIONS.forEach((action, i) => {
        if (cell.counts[i]! > 0) {
          w.sample('ai_shield_decisions_total', cell.counts[i]!, {
            action,
            reason: cell.code,
            route: cell.route,
          });
        }
      });
    }
  }
  w.family('ai_shield_blocks_total', 'counter', 'Blocked requests, by the stage that blocked them.');
  STAGES.forEach((stage, i) => {
    w.sample('ai_shield_blocks_total', state.blocksByStage[i]!, { stage });
  });
  w.sample('ai_shield_blocks_total', state.blocksByStage[STAGES.length]!, { stage: 'unknown' });

  w.family('ai_shield_stage_duration_seconds', 'histogram', 'Time spent in each request stage.');
  for (const stage of STAGES)
    w.histogram('ai_shield_stage_duration_seconds', state.durations[stage], { stage });
  w.family('ai_shield_pipeline_duration_seconds', 'histogram', 'Time spent in the whole request pipeline.');
  w.histogram('ai_shield_pipeline_duration_seconds', state.durations.total);
  w.family('ai_shield_risk_score', 'histogram', 'Combined risk score of each request (0..1).');
  w.histogram('ai_shield_risk_score', state.risk);
  w.family(
    'ai_shield_detection_score',
    'histogram',
    "The prompt scanner's score of each request with text to scan (0..1).",
  );
  w.histogram('ai_shield_detection_score', state.detection);
  w.family(
    'ai_shield_rate_budget_used_ratio',
    'histogram',
    "Share of the client's rate budget used after each request.",
  );
  w.histogram('ai_shield_rate_budget_used_ratio', state.budgetUsed);
  w.family(
    'ai_shield_rate_store_errors_total',
    'counter',
    'Rate store failures, by the policy applied (insurance, open, closed).',
  );
  for (const [policy, count] of state.rateStoreErrors)
    w.sample('ai_shield_rate_store_errors_total', count, { policy });
  w.family('ai_shield_stage_failures_total', 'counter', 'Stages that failed unexpectedly, by stage.');
  for (const [stage, count] of state.stageFailures)
    w.sample('ai_shield_stage_failures_total', count, { stage });

  w.family('ai_shield_responses_total', 'counter', 'Responses checked, by action.');
  ACTIONS.forEach((action, i) => {
    w.sample('ai_shield_responses_total', state.responses[i]!, { action });
  });
  w.family('ai_shield_responses_withheld_total', 'counter', 'Responses withheld by the output checks.');
  w.sample('ai_shield_responses_withheld_total', state.responsesWithheld);
  w.family(
    'ai_shield_pii_entities_total',
    'counter',
    'PII entities found in responses, by type and action (mask, redact, block, flag).',
  );
  for (const [type, counts] of state.pii) {
    PII_ACTIONS.forEach((action, i) => {
      if (counts[i]! > 0) w.sample('ai_shield_pii_entities_total', counts[i]!, { type, action });
    });
  }
  w.family('ai_shield_incidents_total', 'counter', 'Incidents recorded, by type and severity.');
  for (const [type, bySeverity] of state.incidentsByType) {
    for (const [severity, count] of Object.entries(bySeverity)) {
      if (count > 0) w.sample('ai_shield_incidents_total', count, { type, severity });
    }
  }

  if (audit) {
    const { stats, chain } = audit;
    w.family('ai_shield_audit_entries_total', 'counter', 'Audit entries written.');
    w.sample('ai_shield_audit_entries_total', stats.appended);
    w.family('ai_shield_audit_queue_depth', 'gauge', 'Audit entries waiting to be written.');
    w.sample('ai_shield_audit_queue_depth', stats.queued);
    w.family('ai_shield_audit_write_errors_total', 'counter', 'Failed audit log writes (retried).');
    w.sample('ai_shield_audit_write_errors_total', stats.writeFailures);
    w.family('ai_shield_audit_dropped_total', 'counter', 'Audit entries dropped because the queue was full.');
    w.sample('ai_shield_audit_dropped_total', stats.dropped);
    w.family('ai_shield_audit_checkpoints_total', 'counter', 'Audit checkpoints written.');
    w.sample('ai_shield_audit_checkpoints_total', stats.checkpoints);
    w.family(
      'ai_shield_audit_chain_ok',
      'gauge',
      '1 while the audit chain written by this process is unbroken.',
    );
    w.sample('ai_shield_audit_chain_ok', chain.state === 'broken' ? 0 : 1);
  }
  return w.text();
}

/**
 * Automatic incidents: derived from a decision (or the audit entry of one), so the live shield and
 * `ai-shield incidents` over an audit log count the same things the same way.
 * @module
 */
import type { AuditEntry, DecisionSummary } from '../audit/types.js';
import { maxSeverity as max } from '../risk.js';
import type { Severity } from '../types.js';
import type { Incident, IncidentType } from './types.js';

interface Meta {
  ts: number;
  clientIp?: string;
  identity?: string;
  requestId?: string;
  newId: () => string;
}

function blockType(code: string | undefined): IncidentType {
  if (!code) return 'threat_blocked';
  if (code === 'ERR_RATE_LOCKED_OUT' || code.startsWith('ERR_RATE_')) return 'rate_limit';
  if (code.startsWith('ERR_ACCESS_')) return 'access_denied';
  if (code.startsWith('ERR_VALIDATION_')) return 'invalid_input';
  if (code === 'ERR_STAGE_FAILED' || code === 'ERR_STORE_UNAVAILABLE') return 'internal_error';
  return 'threat_blocked';
}

const SEVERITY: Partial<Record<string, Severity>> = {
  rate_limit: 'low',
  access_denied: 'medium',
  invalid_input: 'low',
  internal_error: 'high',
  lockout: 'high',
};

/** Incidents for one decision: none for a plain allow. */
export function incidentsFromDecision(decision: DecisionSummary, meta: Meta): Incident[] {
  const out: Incident[] = [];
  const base = {
    ts: meta.ts,
    source: 'auto' as const,
    ...(meta.clientIp ? { clientIp: meta.clientIp } : {}),
    ...(meta.identity ? { identity: meta.identity } : {}),
    ...(meta.requestId ? { requestId: meta.requestId } : {}),
    ...(decision.route ? { route: decision.route } : {}),
  };
  const kinds = [...new Set(decision.findings.filter((f) => f.severity !== 'low').map((f) => f.kind))].slice(
    0,
    5,
  );
  const withKinds = kinds.length > 0 ? { kinds } : {};
  if (decision.action === 'block') {
    let type = blockType(decision.code);
    // Monitor mode let the request through: a threat was detected, not blocked.
    if (type === 'threat_blocked' && decision.mode === 'monitor' && !decision.enforced)
      type = 'threat_detected';
    let severity = SEVERITY[type] ?? max(decision.risk.severity, 'medium');
    if (decision.code === 'ERR_RATE_LOCKED_OUT') severity = 'medium';
    out.push({
      id: meta.newId(),
      ...base,
      type,
      severity,
      ...(decision.code ? { code: decision.code } : {}),
      ...withKinds,
    });
  } else if (decision.action === 'flag') {
    out.push({
      id: meta.newId(),
      ...base,
      type: 'suspicious',
      severity: decision.risk.severity,
      ...withKinds,
    });
  }
  if (decision.findings.some((f) => f.kind === 'rate.lockout_started')) {
    out.push({ id: meta.newId(), ...base, type: 'lockout', severity: 'high' });
  }
  if (decision.failures.length > 0 && !out.some((incident) => incident.type === 'internal_error')) {
    out.push({
      id: meta.newId(),
      ...base,
      type: 'internal_error',
      severity: 'high',
      details: { failures: decision.failures.map((f) => `${f.stage}:${f.error} (fail ${f.policy})`) },
    });
  }
  return out;
}

/** The incident for response-check findings (none when the checks found nothing). */
export function incidentFromResponse(
  data: { action: string; findings: Array<{ kind: string; severity: Severity }>; route?: string },
  meta: Meta,
): Incident | undefined {
  if (data.findings.length === 0 && data.action === 'allow') return undefined;
  const severity = data.findings.reduce<Severity>((acc, f) => max(acc, f.severity), 'low');
  return {
    id: meta.newId(),
    ts: meta.ts,
    source: 'auto',
    type: data.action === 'block' ? 'response_blocked' : 'response_flagged',
    severity: data.action === 'block' ? max(severity, 'high') : severity,
    ...(meta.clientIp ? { clientIp: meta.clientIp } : {}),
    ...(meta.identity ? { identity: meta.identity } : {}),
    ...(meta.requestId ? { requestId: meta.requestId } : {}),
    ...(data.route ? { route: data.route } : {}),
    kinds: [...new Set(data.findings.map((f) => f.kind))].slice(0, 5),
  };
}

/** Incidents recorded by one audit entry (what `ai-shield incidents` reads). */
export function incidentsFromEntry(entry: AuditEntry): Incident[] {
  const meta: Meta = {
    ts: Date.parse(entry.ts),
    ...(entry.clientIp ? { clientIp: entry.clientIp } : {}),
    ...(entry.identity?.id ? { identity: entry.identity.id } : {}),
    ...(entry.requestId ? { requestId: entry.requestId } : {}),
    newId: () => `${entry.seq}`,
  };
  switch (entry.type) {
    case 'decision':
      return entry.decision ? incidentsFromDecision(entry.decision, meta) : [];
    case 'response': {
      const incident = entry.data
        ? incidentFromResponse(entry.data as Parameters<typeof incidentFromResponse>[0], meta)
        : undefined;
      return incident ? [incident] : [];
    }
    case 'incident': {
      const data = (entry.data ?? {}) as Partial<Incident>;
      if (typeof data.type !== 'string') return [];
      return [
        {
          ...data,
          id: data.id ?? `${entry.seq}`,
          ts: meta.ts,
          type: data.type,
          severity: data.severity ?? 'medium',
          source: data.source ?? 'app',
        },
      ];
    }
    case 'alert.undeliverable':
      return [
        {
          id: `${entry.seq}`,
          ts: meta.ts,
          source: 'auto',
          type: 'alert_failure',
          severity: 'high',
          details: entry.data ?? {},
        },
      ];
    default:
      return [];
  }
}

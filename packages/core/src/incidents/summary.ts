/**
 * `getIncidentSummary({ hours })` (seed 001's get_incident_summary): totals by type and severity, top
 * clients and identities, a time histogram, and recommendations derived from what happened.
 * @module
 */
import type { Severity } from '../types.js';
import type { Incident } from './types.js';

export interface IncidentSummaryOptions {
  /** Look-back window. Default 24. */
  hours?: number;
  /** End of the window (epoch ms). Default now. */
  now?: number;
  /** Entries in `topClients` / `topIdentities`. Default 10. */
  top?: number;
}

export interface IncidentSummary {
  /** ISO start and end of the window. */
  from: string;
  to: string;
  hours: number;
  total: number;
  byType: Record<string, number>;
  bySeverity: Record<Severity, number>;
  topClients: Array<{ clientIp: string; count: number; types: Record<string, number> }>;
  topIdentities: Array<{ identity: string; count: number; types: Record<string, number> }>;
  /** Most affected routes. */
  topRoutes: Array<{ route: string; count: number }>;
  /** Incidents per bucket (`bucketMinutes` wide), oldest first; `start` is ISO. */
  histogram: Array<{ start: string; count: number }>;
  bucketMinutes: number;
  /** Concrete steps derived from the incidents, most important first. */
  recommendations: string[];
  /** Set when the summary covers part of the fleet only (the shared incident store failed), and why. */
  partial?: string;
}

type Tally = Map<string, { count: number; types: Record<string, number> }>;

function tally(into: Tally, key: string | undefined, type: string): void {
  if (!key) return;
  const row = into.get(key) ?? { count: 0, types: {} };
  row.count++;
  row.types[type] = (row.types[type] ?? 0) + 1;
  into.set(key, row);
}

const topOf = (map: Tally, n: number) =>
  [...map.entries()].sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1)).slice(0, n);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Summarizes incidents over the last `hours`.
 * @example
 * const summary = summarizeIncidents(await store.since(Date.now() - 24 * 3_600_000), { hours: 24 });
 */
export function summarizeIncidents(all: Incident[], options: IncidentSummaryOptions = {}): IncidentSummary {
  const hours = options.hours ?? 24;
  const to = options.now ?? Date.now();
  const from = to - hours * 3_600_000;
  const incidents = all.filter((incident) => incident.ts >= from && incident.ts <= to);
  const bucketMinutes = hours <= 2 ? 5 : hours <= 48 ? 60 : 1440;
  const bucketMs = bucketMinutes * 60_000;
  const buckets = Math.max(1, Math.ceil((to - from) / bucketMs));
  const histogram = Array.from({ length: buckets }, (_, i) => ({
    start: new Date(from + i * bucketMs).toISOString(),
    count: 0,
  }));
  const byType: Record<string, number> = {};
  const bySeverity: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const clients: Tally = new Map();
  const identities: Tally = new Map();
  const routes = new Map<string, number>();
  const kinds = new Map<string, number>();
  for (const incident of incidents) {
    byType[incident.type] = (byType[incident.type] ?? 0) + 1;
    bySeverity[incident.severity] = (bySeverity[incident.severity] ?? 0) + 1;
    tally(clients, incident.clientIp, incident.type);
    tally(identities, incident.identity, incident.type);
    if (incident.route) routes.set(incident.route, (routes.get(incident.route) ?? 0) + 1);
    for (const kind of incident.kinds ?? []) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const slot = Math.min(buckets - 1, Math.floor((incident.ts - from) / bucketMs));
    histogram[slot]!.count++;
  }
  const top = options.top ?? 10;
  const summary: IncidentSummary = {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    hours,
    total: incidents.length,
    byType,
    bySeverity,
    topClients: topOf(clients, top).map(([clientIp, row]) => ({ clientIp, ...row })),
    topIdentities: topOf(identities, top).map(([identity, row]) => ({ identity, ...row })),
    topRoutes: [...routes.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([route, count]) => ({ route, count })),
    histogram,
    bucketMinutes,
    recommendations: [],
  };
  summary.recommendations = recommend(incidents, summary, kinds);
  return summary;
}

function clientsOfType(incidents: Incident[], type: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const incident of incidents) {
    if (incident.type === type && incident.clientIp)
      out.set(incident.clientIp, (out.get(incident.clientIp) ?? 0) + 1);
  }
  return out;
}

function routesOfType(incidents: Incident[], type: string): string[] {
  const out = new Map<string, number>();
  for (const incident of incidents)
    if (incident.type === type && incident.route) out.set(incident.route, (out.get(incident.route) ?? 0) + 1);
  return [...out.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([route]) => route);
}

const onRoutes = (routes: string[]) => (routes.length > 0 ? ` on ${routes.join(', ')}` : '');

/** Recommendations, strongest signal first. Each names numbers and the option to change. */
function recommend(incidents: Incident[], summary: IncidentSummary, kinds: Map<string, number>): string[] {
  const out: string[] = [];
  const { byType, total } = summary;
  if (total === 0)
    return [
      `No incidents in the last ${summary.hours} h. Keep reviewing the audit log (ai-shield audit verify) regularly.`,
    ];
  if (byType.audit_failure) {
    out.push(
      `The audit log failed to write ${plural(byType.audit_failure, 'time')}: check free disk space and permissions where audit.path / audit.dir (AI_SHIELD_AUDIT_LOG_PATH / AI_SHIELD_SECURITY_LOG_PATH) point; entries dropped meanwhile are counted in audit.dropped entries.`,
    );
  }
  if (byType.alert_failure) {
    out.push(
      `${plural(byType.alert_failure, 'alert')} could not be delivered: check the SMTP settings (AI_SHIELD_SMTP_SERVER, AI_SHIELD_SMTP_PORT, AI_SHIELD_SMTP_SECURITY, credentials) or the webhook URL.`,
    );
  }
  if (byType.lockout) {
    const locked = clientsOfType(incidents, 'lockout');
    out.push(
      `${plural(locked.size || byType.lockout, 'client')} ${locked.size === 1 ? 'was' : 'were'} locked out after repeated failed attempts${onRoutes(routesOfType(incidents, 'lockout'))}: this looks like credential stuffing or automated probing; block ${[...locked.keys()].slice(0, 3).join(', ') || 'these clients'} at the edge and review rate.failedAttempts (seed failed_attempts_threshold).`,
    );
  }
  if (byType.rate_limit) {
    const ips = clientsOfType(incidents, 'rate_limit');
    out.push(
      `${plural(ips.size, 'IP')} hit the rate limit ${plural(byType.rate_limit, 'time')}${onRoutes(routesOfType(incidents, 'rate_limit'))}: lower rate.perIp for anonymous clients or require authentication there (access.identify), and consider a lower rate.perIp (AI_SHIELD_RATE_LIMIT).`,
    );
  }
  if (byType.threat_blocked) {
    const ips = clientsOfType(incidents, 'threat_blocked');
    const topKinds = [...kinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([kind]) => kind);
    out.push(
      `${plural(byType.threat_blocked, 'attack')} blocked from ${plural(ips.size, 'client')}${onRoutes(routesOfType(incidents, 'threat_blocked'))}${topKinds.length ? ` (mostly ${topKinds.join(', ')})` : ''}: if they come from few sources, block those sources; keep the strict preset on the targeted routes.`,
    );
  }
  if (byType.threat_detected) {
    const ips = clientsOfType(incidents, 'threat_detected');
    out.push(
      `${plural(byType.threat_detected, 'attack')} detected and let through (monitor mode) from ${plural(ips.size, 'client')}${onRoutes(routesOfType(incidents, 'threat_detected'))}: review a sample in the audit log, then switch those routes to mode 'enforce'.`,
    );
  }
  if (byType.suspicious && byType.suspicious >= Math.max(10, (byType.threat_blocked ?? 0) * 2)) {
    out.push(
      `${plural(byType.suspicious, 'request')} were flagged but allowed: review a sample in the audit log; if they are attacks, lower detection.blockThreshold (SUSPICIOUS_PATTERN_THRESHOLD) or move the affected routes to the strict preset.`,
    );
  }
  if (byType.access_denied && byType.access_denied >= 10) {
    out.push(
      `${plural(byType.access_denied, 'request')} were refused by access control: check for leaked or expired credentials and rotate keys that appear repeatedly.`,
    );
  }
  if (byType.invalid_input) {
    const ips = clientsOfType(incidents, 'invalid_input');
    const [worst] = [...ips.entries()].sort((a, b) => b[1] - a[1]);
    if (worst && worst[1] >= 20)
      out.push(
        `${worst[0]} sent ${worst[1]} malformed or out-of-range requests: likely fuzzing; consider blocking it or setting validation.unknownKeys to 'block'.`,
      );
  }
  if (byType.internal_error) {
    out.push(
      `${plural(byType.internal_error, 'security check')} failed internally (see decision.failures): check the rate store and external detector; failing open passed these requests unchecked.`,
    );
  }
  if (byType.response_blocked || byType.response_flagged) {
    const n = (byType.response_blocked ?? 0) + (byType.response_flagged ?? 0);
    out.push(
      `${plural(n, 'response')} contained personal data, secrets or leaked prompt text: review the model's system prompt and retrieval sources; withhold (block) instead of mask for the affected types.`,
    );
  }
  const [topClient] = summary.topClients;
  if (topClient && total >= 20 && topClient.count / total >= 0.5) {
    out.push(
      `${topClient.clientIp} accounts for ${Math.round((topClient.count / total) * 100)}% of all incidents (${topClient.count}/${total}): block it at the edge or require authentication for it.`,
    );
  }
  if (out.length === 0) out.push('No action needed: the incidents are isolated and low severity.');
  return out;
}

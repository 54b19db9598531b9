/**
 * Alert, rule and channel types.
 * @module
 */
import type { Incident } from '../incidents/types.js';
import type { Severity } from '../types.js';

/**
 * When to alert: incidents matching `types` (any when omitted) at or above `minSeverity`, grouped by
 * `groupBy`; an alert fires when a group reaches `threshold` within `windowSec`, and at most one more
 * (carrying the count) is sent per group and window.
 */
export interface AlertRule {
  name: string;
  types?: string[];
  /** Default `low` (any). */
  minSeverity?: Severity;
  /** Incidents per group and window that fire the alert. Default 1. */
  threshold?: number;
  /** Window length in seconds. Default 300. */
  windowSec?: number;
  /** Default `type`. */
  groupBy?: 'clientIp' | 'identity' | 'type' | 'route' | 'none';
}

/** One alert: a rule that fired for one group, with the count so far. */
export interface Alert {
  id: string;
  rule: string;
  /** The group (an IP, an identity, an incident type, ...). */
  key: string;
  severity: Severity;
  title: string;
  /** A few lines for humans (email body, Slack text). No secrets, no user text. */
  message: string;
  /** Matching incidents in the window when the alert was made. */
  count: number;
  windowSec: number;
  /** ISO times of the first and last incident counted. */
  firstAt: string;
  lastAt: string;
  /** `threshold` (the rule fired) or `aggregate` (more incidents arrived in the window after it fired). */
  phase: 'threshold' | 'aggregate';
  /** Up to five of the incidents, compacted. */
  samples: Array<
    Pick<Incident, 'type' | 'severity' | 'clientIp' | 'identity' | 'requestId' | 'route' | 'code'>
  >;
  model: string;
  instance: string;
}

/** A delivery channel. `send` rejects on failure (the dispatcher retries) and honours `signal`. */
export interface Alerter {
  /** Channel name in logs and audit entries, e.g. `email`, `webhook`, `console`. */
  readonly name: string;
  send(alert: Alert, context: { signal: AbortSignal }): Promise<void>;
  close?(): Promise<void>;
}

/** Default rules, from the seeds' alert thresholds. */
export const DEFAULT_ALERT_RULES: AlertRule[] = [
  { name: 'critical-incident', minSeverity: 'critical', threshold: 1, windowSec: 300, groupBy: 'type' },
  {
    name: 'internal-failure',
    types: ['internal_error', 'audit_failure'],
    threshold: 1,
    windowSec: 600,
    groupBy: 'type',
  },
  // Seed failed_attempts_threshold (5) leads to a lockout; every lockout is worth a look.
  { name: 'lockout', types: ['lockout'], threshold: 1, windowSec: 900, groupBy: 'clientIp' },
  {
    name: 'attacks-from-ip',
    types: ['threat_blocked', 'threat_detected', 'access_denied'],
    threshold: 10,
    windowSec: 300,
    groupBy: 'clientIp',
  },
  { name: 'rate-limit-abuse', types: ['rate_limit'], threshold: 50, windowSec: 60, groupBy: 'clientIp' },
  { name: 'response-leak', types: ['response_blocked'], threshold: 1, windowSec: 600, groupBy: 'route' },
  // Issue 19: an identity or client spending many times its usual tokens in an hour (budget.spendAlert).
  { name: 'overspend', types: ['budget_overspend'], threshold: 1, windowSec: 3600, groupBy: 'identity' },
];

/**
 * Incident types and the store interface. An incident is a compact, plain-data record of something the
 * security team may care about; the summary and the alert rules work on these.
 * @module
 */
import type { Severity } from '../types.js';

/** Incident kinds the shield records by itself; applications may log any other string. */
export type IncidentType =
  | 'threat_blocked'
  /** A threat in monitor mode: recorded, let through. */
  | 'threat_detected'
  | 'suspicious'
  | 'rate_limit'
  | 'lockout'
  | 'access_denied'
  | 'invalid_input'
  | 'internal_error'
  | 'response_blocked'
  | 'response_flagged'
  | 'audit_failure'
  | 'alert_failure'
  | (string & {});

export interface Incident {
  /** Unique id (random UUID). */
  id: string;
  /** Epoch milliseconds. */
  ts: number;
  type: IncidentType;
  severity: Severity;
  /** `auto` (from a decision or an internal event) or `app` (`shield.logIncident`). */
  source: 'auto' | 'app';
  clientIp?: string;
  /** Identity id (never a credential). */
  identity?: string;
  requestId?: string;
  route?: string;
  /** Error code of the decision (`ERR_RATE_LIMITED`, ...). */
  code?: string;
  /** Finding kinds behind it, at most five. */
  kinds?: string[];
  /** Short, secret-free details (the application's `details` for app incidents). */
  details?: Record<string, unknown>;
}

/** What `shield.logIncident` takes. */
export interface IncidentInput {
  type: IncidentType;
  /** Default `medium`. */
  severity?: Severity;
  details?: Record<string, unknown>;
  clientIp?: string;
  identity?: string;
  requestId?: string;
  route?: string;
}

/**
 * Where incidents are kept for summaries. The memory store is per process; a shared store (e.g. Redis)
 * gives a cluster one summary. Methods may be sync or async.
 */
export interface IncidentStore {
  /** `memory`, `redis`, ... shown in failures. */
  readonly kind?: string;
  /** The connection behind a shared store: stores sharing one share their health (see `RateStore.backend`). */
  readonly backend?: object;
  add(incident: Incident): void | Promise<void>;
  /** Incidents with `ts >= since`, any order. */
  since(since: number): Incident[] | Promise<Incident[]>;
}

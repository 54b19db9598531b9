/**
 * Building blocks of the built-in controls: the control definition type and the per-endpoint
 * aggregation (present on every relevant endpoint → present; on none → missing; else partial).
 * @module
 */
import type { AssessContext, EndpointOptions } from './context.js';
import type { ControlResult, ControlStatus, Fix } from './types.js';

/** A built-in control: evaluated in code from the options and the deployment. */
export interface ControlDefinition {
  id: string;
  title: string;
  source: 'option' | 'fact';
  /** Blocking controls are weakened by `mode: 'monitor'` (they record but never block). */
  blocking?: boolean;
  evaluate(context: AssessContext): Omit<ControlResult, 'id' | 'title' | 'source'>;
}

/** One endpoint's verdict. */
export interface EndpointCheck {
  status: Exclude<ControlStatus, 'not-applicable'>;
  evidence: string;
  fix?: Fix;
}

/** Result with no fix and a single line of evidence. */
export function result(
  status: ControlStatus,
  evidence: string | string[],
  fixes: Fix[] = [],
): Omit<ControlResult, 'id' | 'title' | 'source'> {
  return { status, evidence: Array.isArray(evidence) ? evidence : [evidence], fixes };
}

/** `rate.perIp` shows as `100/60s`. */
export function windowText(window: { points: number; durationSec: number } | false): string {
  return window === false ? 'false' : `${window.points}/${window.durationSec}s`;
}

/** Requests per minute of a window. */
export function perMinute(window: { points: number; durationSec: number }): number {
  return (window.points * 60) / window.durationSec;
}

/** `routes['POST /v1/chat'].` when the endpoint has a route entry (or should get one), else ''. */
export function routePrefix(endpoint: EndpointOptions): string {
  return `routes['${endpoint.routeKey ?? endpoint.label}'].`;
}

/**
 * Runs `check` on every endpoint `relevant` selects and aggregates. Endpoints whose route has
 * `skip: true` count as missing.
 */
export function perEndpoint(
  context: AssessContext,
  relevant: (endpoint: EndpointOptions) => boolean,
  check: (endpoint: EndpointOptions) => EndpointCheck,
): Omit<ControlResult, 'id' | 'title' | 'source'> {
  const endpoints = context.endpoints.filter(relevant);
  if (endpoints.length === 0) return result('not-applicable', 'no endpoint of this kind');
  const checks = endpoints.map((endpoint): EndpointCheck & { label: string } => {
    if (endpoint.options.skip) {
      return {
        label: endpoint.label,
        status: 'missing',
        evidence: `routes['${endpoint.routeKey}'].skip: true (the shield is off)`,
        fix: {
          target: `routes['${endpoint.routeKey}'].skip`,
          change: `remove \`skip: true\` from \`routes['${endpoint.routeKey}']\``,
        },
      };
    }
    return { label: endpoint.label, ...check(endpoint) };
  });
  const present = checks.filter((c) => c.status === 'present').length;
  const missing = checks.filter((c) => c.status === 'missing').length;
  const status: ControlStatus =
    present === checks.length ? 'present' : missing === checks.length ? 'missing' : 'partial';
  const fixes: Fix[] = [];
  for (const c of checks) {
    if (c.fix && !fixes.some((f) => f.change === c.fix!.change)) fixes.push(c.fix);
  }
  return { status, evidence: checks.map((c) => `${c.label}: ${c.evidence}`), fixes };
}

/** Text endpoints (chat) of a text model, or any `chat` endpoint. */
export const isText = (endpoint: EndpointOptions): boolean => endpoint.kind === 'chat';
/** Numeric endpoints (predict). */
export const isNumeric = (endpoint: EndpointOptions): boolean => endpoint.kind === 'predict';
/** Every endpoint. */
export const any = (): boolean => true;

/**
 * Who may read the dashboard and `/metrics`: a bearer token (compared in constant time, as digests), or
 * an identity holding one of the configured roles, established by the shield's own access stage (JWT or
 * API key) or by an outer `aiShield()` middleware that ran before the handler.
 * @module
 */

import { sha256 } from '../audit/sha256.js';
import { timingSafeEqual } from '../auth/api-key.js';
import type { Policy, Shield } from '../shield.js';
import { INTERNAL_POLICY_PREFIX } from '../telemetry/recorder.js';
import type { Identity } from '../types.js';

/** What an adapter knows about the request besides the Web `Request`. */
export interface HandlerContext {
  /** Where the handler is mounted (`req.baseUrl` in Express); default the handler's `path` option. */
  basePath?: string;
  /** The identity an outer `aiShield()` established for this request (its decision's `identity`). */
  identity?: Identity;
  /** The TCP peer, for the access check (client IP, lockouts, audit entries). */
  socketIp?: string;
}

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; headers: Record<string, string> };

const encoder = new TextEncoder();
const REALM = 'ai-shield-dashboard';
const challenge = (error?: string) => `Bearer realm="${REALM}"${error ? `, error="${error}"` : ''}`;

/** The bearer credentials of a request, if any (RFC 6750 §2.1; the scheme is case-insensitive). */
export function bearerOf(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space).toLowerCase() !== 'bearer') return undefined;
  const value = header.slice(space + 1).trim();
  return value.length > 0 && value.length <= 8192 ? value : undefined;
}

/** True when `given` equals the token whose digest is `expected`; time independent of where they differ. */
export function tokenMatches(given: string | undefined, expected: Uint8Array): boolean {
  // Digests have one length whatever the input's, so neither length nor content leaks through timing.
  const digest = sha256(encoder.encode(given ?? ''));
  return given !== undefined && timingSafeEqual(digest, expected);
}

export interface Authorizer {
  authorize(request: Request, context: HandlerContext): Promise<AuthResult>;
}

/**
 * Creates the check. With `role`, requests without a matching identity from the adapter go through the
 * shield's access stage under an access-only policy (`ai-shield:<name>`), so a refusal is recorded like
 * any other (an incident, an audit entry) and counts toward lockouts.
 */
export function createAuthorizer(
  shield: () => Shield,
  options: { token?: string; role?: string | string[] },
  name: string,
): Authorizer {
  const tokenDigest = options.token ? sha256(encoder.encode(options.token)) : undefined;
  const roles = options.role === undefined ? [] : Array.isArray(options.role) ? options.role : [options.role];
  let policy: Policy | undefined;
  const accessPolicy = () =>
    (policy ??= shield().policy(
      {
        access: { roles: [] },
        rate: { perIp: false, perIdentity: false, minIntervalMs: 0 },
        validation: { enabled: false },
        detection: { enabled: false },
        output: { enabled: false },
      },
      `${INTERNAL_POLICY_PREFIX}${name}`,
    ));
  const hasRole = (identity: Identity | undefined) =>
    !!identity && roles.some((role) => identity.roles?.includes(role));

  async function authorize(request: Request, context: HandlerContext): Promise<AuthResult> {
    const bearer = bearerOf(request);
    if (tokenDigest && tokenMatches(bearer, tokenDigest)) return { ok: true };
    if (roles.length === 0) {
      return {
        ok: false,
        status: 401,
        headers: { 'www-authenticate': challenge(bearer ? 'invalid_token' : undefined) },
      };
    }
    if (context.identity) {
      return hasRole(context.identity)
        ? { ok: true }
        : { ok: false, status: 403, headers: { 'www-authenticate': challenge('insufficient_scope') } };
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    const url = new URL(request.url);
    const decision = await shield().protect(
      {
        method: request.method,
        path: url.pathname,
        headers,
        ...(context.socketIp ? { socketIp: context.socketIp } : {}),
      },
      { policy: accessPolicy() },
    );
    if (decision.action === 'block' && decision.mode === 'enforce') {
      const status = decision.status === 403 ? 403 : 401;
      return {
        ok: false,
        status,
        headers: { 'www-authenticate': decision.headers['www-authenticate'] ?? challenge() },
      };
    }
    if (hasRole(decision.identity)) return { ok: true };
    return decision.identity
      ? { ok: false, status: 403, headers: { 'www-authenticate': challenge('insufficient_scope') } }
      : { ok: false, status: 401, headers: { 'www-authenticate': challenge() } };
  }

  return { authorize };
}

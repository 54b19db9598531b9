/**
 * What of a decision goes into the audit log. Privacy by default: the body becomes a SHA-256 and a length,
 * finding messages (which may quote user text) are left out, and only the first, client-safe reason is
 * kept. With `payloads: 'full'` the body and messages are kept, but secrets never are: values under
 * secret-looking keys are dropped and API keys, tokens and private keys inside strings are redacted.
 * @module
 */
import { scanPii } from '../output/pii.js';
import type { Decision, ResponseCheck, ShieldRequest } from '../types.js';
import type { AuditRecord, DecisionSummary } from './types.js';

/** `hash`: body as SHA-256 + length (default). `full`: the body itself, secrets redacted. */
export type AuditPayloads = 'hash' | 'full';

// Matched against the key with separators removed: `api_key`, `accessToken`, `client-secret`; not `max_tokens`.
const SECRET_KEY =
  /(?:password|passwd|passphrase|pwd|secret|token|apikey|authorization|cookie|credentials?|privatekey)$/;
const isSecretKey = (key: string) => SECRET_KEY.test(key.toLowerCase().replace(/[-_\s.]/g, ''));

/** Redacts secrets inside a string (provider keys, JWTs, PEM keys, high-entropy tokens). */
export function redactSecrets(text: string): string {
  const found = [...scanPii(text, { types: ['secret'] }).entities].sort((a, b) => a.start - b.start);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const entity of found) {
    if (entity.start < at) continue;
    out += `${text.slice(at, entity.start)}[REDACTED:${entity.subtype ?? 'secret'}]`;
    at = entity.end;
  }
  return out + text.slice(at);
}

/** Copies a JSON value, dropping secret-named members and redacting secrets in strings. Depth-bounded. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 32) return '[truncated]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) ? '[REDACTED]' : redactValue(item, depth + 1);
  }
  return out;
}

/** The audit view of a decision. */
export function summarizeDecision(
  decision: Decision,
  payloads: AuditPayloads,
  nested = false,
): DecisionSummary {
  const full = payloads === 'full';
  return {
    action: decision.action,
    status: decision.status,
    ...(decision.code ? { code: decision.code } : {}),
    mode: decision.mode,
    ...(decision.enforced ? { enforced: true } : {}),
    risk: decision.risk,
    reasons: full ? decision.reasons.map(redactSecrets) : decision.reasons.slice(0, 1),
    findings: decision.findings.slice(0, 50).map((finding) => ({
      kind: finding.kind,
      severity: finding.severity,
      source: finding.source,
      ...(finding.location?.path ? { path: finding.location.path } : {}),
      ...(full ? { message: redactSecrets(finding.message) } : {}),
    })),
    // Failure messages can carry connection strings; the code and the policy are what an auditor needs.
    failures: decision.failures.map((failure) => ({
      stage: failure.stage,
      policy: failure.policy,
      error: failure.error,
    })),
    ...(decision.route ? { route: decision.route } : {}),
    ...(nested ? { nested: true } : {}),
  };
}

/** The audit record of a request decision. The body is hashed later, off the request path. */
export function decisionRecord(
  decision: Decision,
  request: ShieldRequest,
  payloads: AuditPayloads,
  nested: boolean,
): AuditRecord {
  const record: AuditRecord = {
    type: 'decision',
    requestId: decision.requestId,
    clientIp: decision.clientIp,
    request: { method: request.method, path: request.path },
    decision: summarizeDecision(decision, payloads, nested),
  };
  const identity = decision.identity ?? request.identity;
  if (identity) {
    record.identity = {
      id: identity.id,
      ...(identity.kind ? { kind: identity.kind } : {}),
      ...(identity.keyId ? { keyId: identity.keyId } : {}),
    };
  }
  const text = request.bodyText ?? (request.body !== undefined ? safeStringify(request.body) : undefined);
  if (text !== undefined) record.bodyText = text;
  if (payloads === 'full' && record.request) {
    const body = decision.body ?? request.body ?? request.bodyText;
    if (body !== undefined) record.request.body = redactValue(body);
  }
  return record;
}

/** The audit record of response-check findings. */
export function responseRecord(
  decision: Decision | undefined,
  check: ResponseCheck,
  payloads: AuditPayloads,
): AuditRecord {
  const full = payloads === 'full';
  return {
    type: 'response',
    ...(decision ? { requestId: decision.requestId, clientIp: decision.clientIp } : {}),
    ...(decision?.identity ? { identity: { id: decision.identity.id } } : {}),
    data: {
      action: check.action,
      ...(check.status ? { status: check.status } : {}),
      ...(check.code ? { code: check.code } : {}),
      ...(decision?.route ? { route: decision.route } : {}),
      findings: check.findings.slice(0, 50).map((finding) => ({
        kind: finding.kind,
        severity: finding.severity,
        ...(full ? { message: redactSecrets(finding.message) } : {}),
      })),
    },
  };
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Audit evidence for the assessment: counts of what actually happened in the period, taken from audit
 * entries whose chain was verified first (`verifyAuditLog`). Pure: the caller reads the files.
 * @module
 */
import type { AuditEntry, VerifyResult } from '@ai-shield/core';
import type { AuditEvidence, EvidenceSignal } from './types.js';

const RATE_CODES = new Set(['ERR_RATE_LIMITED', 'ERR_RATE_TOO_FREQUENT']);

function signalsOf(entry: AuditEntry): EvidenceSignal[] {
  const out: EvidenceSignal[] = [];
  if (entry.type === 'decision' && entry.decision) {
    const { code, findings, failures } = entry.decision;
    const kinds = findings.map((finding) => finding.kind);
    if (
      code === 'ERR_DETECTION_THREAT' ||
      kinds.some((k) => k.startsWith('injection.') || k.startsWith('jailbreak.'))
    ) {
      out.push('injectionAttempts');
    }
    if (code && RATE_CODES.has(code)) out.push('rateLimited');
    if (code === 'ERR_RATE_LOCKED_OUT' || kinds.includes('rate.lockout_started')) out.push('lockouts');
    if (code?.startsWith('ERR_VALIDATION_')) out.push('invalidInputs');
    if (code?.startsWith('ERR_ACCESS_')) out.push('accessDenied');
    if (kinds.some((k) => k === 'behavior.near_duplicate_probing' || k === 'behavior.repeated_input'))
      out.push('probing');
    if (failures.length > 0) out.push('stageFailures');
  } else if (entry.type === 'response' && entry.data) {
    const findings = (entry.data as { findings?: Array<{ kind: string }> }).findings ?? [];
    if (findings.some((f) => f.kind.startsWith('pii.'))) out.push('piiInResponses');
    if (findings.some((f) => f.kind.startsWith('leak.'))) out.push('responseLeaks');
  }
  return out;
}

/**
 * Counts evidence signals (one per entry and signal) over entries of a verified log. When the chain did
 * not verify, the counts are still returned but `verified` is false and the assessment ignores them.
 * @example
 * const verify = await verifyAuditLog(files, { hmacKey });
 * const audit = auditEvidence(entries, verify);
 * assessDeployment(options, deployment, { audit });
 */
export function auditEvidence(entries: Iterable<AuditEntry>, verify: VerifyResult): AuditEvidence {
  const counts: Partial<Record<EvidenceSignal, number>> = {};
  let n = 0;
  let from: string | undefined;
  let to: string | undefined;
  for (const entry of entries) {
    n++;
    if (entry.ts && (from === undefined || entry.ts < from)) from = entry.ts;
    if (entry.ts && (to === undefined || entry.ts > to)) to = entry.ts;
    for (const signal of signalsOf(entry)) counts[signal] = (counts[signal] ?? 0) + 1;
  }
  return {
    verified: verify.ok,
    ...(verify.ok ? {} : { error: verify.error?.message ?? 'the audit chain did not verify' }),
    entries: n,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    counts,
  };
}

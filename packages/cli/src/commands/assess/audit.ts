/**
 * `--audit <files...>`: verifies the audit log's chain with core's `verifyAuditLog`, then counts what
 * happened (injection attempts, rate-limit hits, lockouts, PII masked, ...) for the assessment.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { type AuditEvidence, auditEvidence } from '@ai-shield/assess';
import { type AuditEntry, verifyAuditLog } from '@ai-shield/core';
import { AssessInputError } from './load.js';

/** Options of {@link readAuditEvidence}. */
export interface AuditReadOptions {
  /** `AI_SHIELD_AUDIT_HMAC_KEY` of a keyed chain. */
  hmacKey?: string;
  /** Accept logs that do not start at the genesis entry (rotated files left out). */
  partial?: boolean;
}

/**
 * Reads audit files (JSONL, given in chain order), verifies them and returns the evidence. A chain that
 * does not verify yields `verified: false` with the reason, and the assessment ignores its counts.
 */
export async function readAuditEvidence(
  files: string[],
  options: AuditReadOptions = {},
): Promise<AuditEvidence> {
  const texts: Array<{ name: string; text: string }> = [];
  for (const name of files) {
    try {
      texts.push({ name, text: await readFile(name, 'utf8') });
    } catch {
      throw new AssessInputError(`audit file not found or unreadable: ${name}`);
    }
  }
  const verify = await verifyAuditLog(texts, {
    ...(options.hmacKey ? { hmacKey: options.hmacKey } : {}),
    ...(options.partial ? { partial: true } : {}),
  });
  const entries: AuditEntry[] = [];
  for (const { text } of texts) {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as AuditEntry;
        if (typeof entry === 'object' && entry !== null && typeof entry.type === 'string')
          entries.push(entry);
      } catch {
        // A torn or malformed line is already reported by the verifier.
      }
    }
  }
  return auditEvidence(entries, verify);
}

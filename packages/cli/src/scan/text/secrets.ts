/**
 * Hard-coded secret detection: provider key formats first (precise), then `name = "value"` assignments
 * whose name says secret and whose value has high entropy and is not an obvious placeholder.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../types.js';

/** One detected secret; `value` is the raw secret and never leaves this module unmasked. */
export interface SecretHit {
  ruleId: string;
  label: string;
  severity: Severity;
  index: number;
  value: string;
}

const PROVIDERS: Array<{ id: string; label: string; re: RegExp; severity?: Severity }> = [
  { id: 'aws-access-key', label: 'AWS access key ID', re: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g },
  { id: 'github-token', label: 'GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{36,251})\b/g },
  { id: 'github-pat', label: 'GitHub fine-grained token', re: /\b(github_pat_[A-Za-z0-9_]{60,255})\b/g },
  {
    id: 'anthropic-key',
    label: 'Anthropic API key',
    re: /\b(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,})/g,
  },
  {
    id: 'openai-key',
    label: 'OpenAI API key',
    re: /\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})/g,
  },
  { id: 'openai-key', label: 'OpenAI API key', re: /\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,})/g },
  { id: 'huggingface-token', label: 'Hugging Face token', re: /\b(hf_[A-Za-z]{34})\b/g },
  { id: 'google-api-key', label: 'Google API key', re: /\b(AIza[0-9A-Za-z_-]{35})\b/g },
  { id: 'slack-token', label: 'Slack token', re: /\b(xox[baprs]-[0-9A-Za-z-]{10,})\b/g },
  { id: 'stripe-key', label: 'Stripe live key', re: /\b((?:sk|rk)_live_[0-9a-zA-Z]{24,})\b/g },
  { id: 'gitlab-token', label: 'GitLab token', re: /\b(glpat-[0-9A-Za-z_-]{20,})\b/g },
  { id: 'wandb-key', label: 'Weights & Biases key', re: /\bWANDB_API_KEY\s*[=:]\s*["']?([0-9a-f]{40})\b/g },
  {
    id: 'private-key',
    label: 'private key',
    re: /(-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)/g,
    severity: 'critical',
  },
  {
    id: 'jwt',
    label: 'JSON Web Token',
    re: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g,
    severity: 'medium',
  },
  {
    id: 'connection-string',
    label: 'credentials in a connection URL',
    re: /\b((?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp|mssql):\/\/[^\s:/@'"]+:[^\s@'"]{6,}@[^\s'"]+)/g,
  },
];

const ASSIGNMENT =
  /\b([A-Za-z0-9_.-]*(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|access[_-]?key|auth|credential|private[_-]?key)[A-Za-z0-9_]*)["']?\s*(?:=|:|=>)\s*[rbuf]?["']([^"'\s]{8,200})["']/gi;

const PLACEHOLDER =
  /^(?:x{3,}|\*{3,}|\.{3,}|<[^>]*>|\$\{?[A-Z_]+\}?|\{\{.*\}\}|%\(.*\)s|(?:your|my|insert|enter|replace|put|add)[_-]?.*|.*(?:example|changeme|placeholder|dummy|sample|redacted|here|xxxx|test|fake|todo).*|none|null|true|false)$/i;

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Masks a secret for reports: a short prefix, the length, and nothing else. */
export function maskSecret(value: string): string {
  const keep = value.length >= 16 ? 4 : value.length >= 10 ? 2 : 0;
  return `${value.slice(0, keep)}${'*'.repeat(Math.min(12, value.length - keep))} (${value.length} chars)`;
}

/** A stable fingerprint so the same secret can be tracked across reports without showing it. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/**
 * Finds secrets in text. Provider formats win over generic assignments at the same position. Matches
 * that look like placeholders (`AKIA...EXAMPLE`, `your-api-key-here`) are not reported; when
 * `placeholders` is given they are collected there, so the report can say how many were skipped.
 */
export function findSecrets(text: string, placeholders?: SecretHit[]): SecretHit[] {
  const hits: SecretHit[] = [];
  const taken = new Set<number>();
  for (const p of PROVIDERS) {
    for (const m of text.matchAll(p.re)) {
      const value = m[1]!;
      const index = m.index! + m[0].indexOf(value);
      if (taken.has(index)) continue;
      taken.add(index);
      const hit = { ruleId: `secret/${p.id}`, label: p.label, severity: p.severity ?? 'high', index, value };
      if (PLACEHOLDER.test(value)) placeholders?.push(hit);
      else hits.push(hit);
    }
  }
  for (const m of text.matchAll(ASSIGNMENT)) {
    const value = m[2]!;
    const index = m.index! + m[0].lastIndexOf(value);
    if (taken.has(index)) continue;
    if (hits.some((h) => index >= h.index && index < h.index + h.value.length)) continue;
    // Entropy threshold keeps words like "password123" out; ~3.5 bits/char is typical for random keys.
    if (entropy(value) < 3.5 || !/\d/.test(value) || /^[a-z_.]+$/i.test(value)) continue;
    const hit = {
      ruleId: 'secret/generic',
      label: `high-entropy value assigned to "${m[1]}"`,
      severity: 'medium' as const,
      index,
      value,
    };
    if (PLACEHOLDER.test(value)) placeholders?.push(hit);
    else hits.push(hit);
  }
  return hits;
}

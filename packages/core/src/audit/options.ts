/**
 * Option schemas for auditing, incidents and alerting (mounted as `audit`, `incidents` and `alerts` in
 * the shield's options). Defaults live here, next to the seed settings they come from.
 * @module
 */
import { z } from 'zod';
import type { Alerter, AlertRule } from '../alerts/types.js';
import { DEFAULT_ALERT_RULES } from '../alerts/types.js';
import type { IncidentStore } from '../incidents/types.js';
import type { Ed25519KeyInput } from './checkpoint.js';
import type { AuditSink } from './types.js';

const object = <T>(what: string, ...methods: string[]) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `expected ${what} (an object with ${methods.join(', ')})` },
  );

const checkpointsSchema = z.strictObject({
  /** Checkpoint after this many entries (0: only on the interval and at flush/close). */
  every: z.number().int().min(0).default(1000),
  /** Checkpoint at least this often while entries are written (0: only by count and at flush/close). */
  intervalSec: z.number().min(0).default(60),
  /** Ed25519 private key (CryptoKey or JWK) signing checkpoints; without it they carry an HMAC with `hmacKey`. */
  signingKey: z
    .custom<Ed25519KeyInput>((value) => typeof value === 'object' && value !== null, {
      message: 'expected an Ed25519 private key (CryptoKey or JWK)',
    })
    .optional(),
});

export const auditOptionsSchema = z.strictObject({
  /** Write audit entries. Default true (to memory unless a sink is given). */
  enabled: z.boolean().default(true),
  /** Where entries go. Default: an in-memory sink. `createFileSink()` from `@ai-shield/core/node` writes JSONL files. */
  sink: object<AuditSink>('an AuditSink', 'write').optional(),
  /**
   * Audit log file (`AI_SHIELD_AUDIT_LOG_PATH`, seed 002). Used by `withNodeSinks()` from `@ai-shield/core/node`,
   * which creates the file sink; the core itself never touches files.
   */
  path: z.string().min(1).optional(),
  /** Folder for `security_{model}_{date}.log` files (`AI_SHIELD_SECURITY_LOG_PATH`, seed 001). See `path`. */
  dir: z.string().min(1).optional(),
  /** `hash` (default): bodies as SHA-256 + length, no finding messages. `full`: bodies too (secrets redacted). */
  payloads: z.enum(['hash', 'full']).default('hash'),
  /** Share of allowed requests audited (0..1). Blocks and flags are always audited. Default 0. */
  sampleAllows: z.number().min(0).max(1).default(0),
  /** HMAC key for the chain (`AI_SHIELD_AUDIT_HMAC_KEY`): without it, anyone who can edit the file can recompute hashes. */
  hmacKey: z.string().min(16, 'use at least 16 characters (32 random bytes recommended)').optional(),
  /** Written in each entry; default a random id made when the shield is created. */
  instance: z.string().min(1).max(64).optional(),
  /**
   * Which decisions `protect()` waits for before the response is sent. `refusals` (default): a refused
   * request's entry is on stable storage first (the file sink syncs the batch holding it; concurrent
   * refusals share one sync), so a crash cannot lose a refusal the client has seen. `audited`: every
   * audited decision is written first (flags, failures and sampled allows too; synced only with a sink
   * durability of `entry`). `none`: nothing waits (entries are queued; a crash loses the queue).
   */
  acknowledge: z.enum(['refusals', 'audited', 'none']).default('refusals'),
  /**
   * Longest wait in `protect()` for `acknowledge`: a stuck disk delays answers by at most this much (the
   * entry is still written later, and the delay is logged). 0: never wait.
   */
  budgetMs: z.number().min(0).default(1000),
  /** Records waiting for the sink beyond which new ones are dropped and counted (`audit.dropped`). */
  maxQueue: z.number().int().positive().default(10_000),
  checkpoints: checkpointsSchema.prefault({}),
});

export const incidentsOptionsSchema = z.strictObject({
  /** Record incidents (automatic ones and `logIncident`). Default true. */
  enabled: z.boolean().default(true),
  /** Store behind `getIncidentSummary`. Default: in memory, per process. */
  store: object<IncidentStore>('an IncidentStore', 'add', 'since').optional(),
  /** Memory store size. */
  maxIncidents: z.number().int().positive().default(100_000),
  /** Memory store retention in hours. */
  retentionHours: z.number().positive().default(168),
});

const ruleSchema = z.strictObject({
  name: z.string().min(1),
  types: z.array(z.string().min(1)).optional(),
  minSeverity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  threshold: z.number().int().positive().optional(),
  windowSec: z.number().positive().optional(),
  groupBy: z.enum(['clientIp', 'identity', 'type', 'route', 'none']).optional(),
}) satisfies z.ZodType<AlertRule>;

/** `localhost`, `*.localhost`, 127.0.0.0/8 or ::1: a server on this machine (RFC 6761 §6.3). */
function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/** SMTP settings (seed 001 `smtp_settings`); used by `createSmtpAlerter()` in `@ai-shield/core/node`. */
export const emailOptionsSchema = z
  .strictObject({
    /** `AI_SHIELD_SMTP_SERVER` (seeds: `SMTP_SERVER`, `ALERT_SMTP_SERVER`). */
    host: z.string().min(1),
    /** `AI_SHIELD_SMTP_PORT` (seeds: `SMTP_PORT`, `ALERT_SMTP_PORT`). Default 587. */
    port: z.number().int().min(1).max(65535).default(587),
    /**
     * `AI_SHIELD_SMTP_SECURITY`: `starttls` (default, required: never sends in clear), `tls` (implicit
     * TLS, port 465), or `none`: plain text, accepted for a loopback server only (a local mail catcher
     * such as Mailpit or MailHog), never across a network.
     */
    security: z.enum(['starttls', 'tls', 'none']).optional(),
    /** `AI_SHIELD_SMTP_USERNAME` (seeds: `SMTP_USERNAME`, `ALERT_SMTP_USER`). */
    user: z.string().min(1).optional(),
    /** `AI_SHIELD_SMTP_PASSWORD` (seeds: `SMTP_PASSWORD`, `ALERT_SMTP_PASSWORD`). Never logged. */
    pass: z.string().min(1).optional(),
    /** `AI_SHIELD_ALERT_SENDER`. */
    sender: z.string().min(3).default('ai-shield@localhost'),
    /** `AI_SHIELD_ALERT_RECIPIENTS` (comma-separated). */
    recipients: z
      .array(z.string().min(3), {
        error: (issue) =>
          issue.input === undefined
            ? 'an SMTP server is set but no recipients: list at least one (AI_SHIELD_ALERT_RECIPIENTS, comma-separated)'
            : undefined,
      })
      .min(1, 'list at least one recipient (AI_SHIELD_ALERT_RECIPIENTS, comma-separated)'),
  })
  .superRefine((email, ctx) => {
    if (email.security === 'none' && !isLoopbackHost(email.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['security'],
        message: `'none' (plain text) is accepted for a loopback SMTP server only (localhost, 127.0.0.1, ::1), not ${JSON.stringify(email.host)}: credentials and alerts would cross the network in clear; use starttls or tls`,
      });
    }
  });

export const alertsOptionsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** When to alert. Default `DEFAULT_ALERT_RULES` (critical incidents, internal failures, lockouts, attack bursts per IP, rate-limit abuse, response leaks). */
  rules: z.array(ruleSchema).default(DEFAULT_ALERT_RULES),
  /** Delivery channels: `createWebhookAlerter`, `createConsoleAlerter`, `createSmtpAlerter` (node). Default none. */
  channels: z.array(object<Alerter>('an Alerter', 'send')).default([]),
  /** SMTP settings from options or the seed env vars; see `emailOptionsSchema`. */
  email: emailOptionsSchema.optional(),
  /** Retries after the first attempt. */
  retries: z.number().int().min(0).default(3),
  /** First back-off delay (doubled per retry). */
  backoffMs: z.number().int().positive().default(1000),
  /** Longest wait for one delivery attempt. */
  timeoutMs: z.number().int().positive().default(10_000),
  /** Deliveries waiting at once, beyond which alerts are recorded as undeliverable. */
  maxPending: z.number().int().positive().default(100),
});

export type AuditOptions = z.output<typeof auditOptionsSchema>;
export type IncidentsOptions = z.output<typeof incidentsOptionsSchema>;
export type AlertsOptions = z.output<typeof alertsOptionsSchema>;
export type EmailOptions = z.output<typeof emailOptionsSchema>;

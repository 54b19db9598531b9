/**
 * Email alerts through nodemailer (seed 001's SMTP notifications). STARTTLS is required by default, so
 * credentials never cross the network in clear; every socket phase has a timeout so a hanging server
 * only ever delays the (asynchronous) delivery, never a request.
 * @module
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Alert, Alerter } from '../alerts/types.js';
import { type EmailOptions, emailOptionsSchema } from '../audit/options.js';
import { optionsFromEnv } from '../config/env.js';
import { AiShieldConfigError } from '../errors.js';

export interface SmtpAlerterOptions extends Partial<Omit<EmailOptions, 'recipients'>> {
  recipients?: string[];
  /** Environment read for missing settings (`AI_SHIELD_SMTP_SERVER`, ...). Default `process.env`; `false` ignores it. */
  env?: Record<string, string | undefined> | false;
  /** Also read the seeds' bare names (`SMTP_SERVER`, ...). Default: `AI_SHIELD_SEED_ENV` in `env`. */
  seedEnv?: boolean;
  /** Connection, greeting and socket timeout. Default 10,000 ms. */
  timeoutMs?: number;
  /** PEM CA certificate(s) to trust for the SMTP server (private CAs). */
  ca?: string | string[];
  /**
   * Accept any TLS certificate (self-signed test servers). Unsafe: a network attacker can read the
   * credentials and alerts. Logs a warning.
   */
  dangerouslyAllowInvalidCertificates?: boolean;
}

/** Subject and text of an alert email. */
export function alertEmail(alert: Alert): { subject: string; text: string } {
  return {
    subject: `[AI Shield] ${alert.severity.toUpperCase()}: ${alert.title}`.slice(0, 200),
    text: `${alert.message}\n\nRule: ${alert.rule}\nGroup: ${alert.key}\nCount: ${alert.count} (${alert.phase})\nAlert id: ${alert.id}\n`,
  };
}

/** Resolves SMTP settings from explicit options over the seed env vars; throws AiShieldConfigError. */
export function resolveEmailOptions(options: SmtpAlerterOptions = {}): EmailOptions {
  const {
    env: envInput,
    seedEnv,
    timeoutMs: _t,
    ca: _c,
    dangerouslyAllowInvalidCertificates: _d,
    ...explicit
  } = options;
  const env = envInput === false ? {} : (envInput ?? process.env);
  const fromEnv = optionsFromEnv(env, seedEnv === undefined ? {} : { seedEnv });
  const email = ((fromEnv.options.alerts as { email?: object } | undefined)?.email ??
    {}) as Partial<EmailOptions>;
  const defined = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined));
  const parsed = emailOptionsSchema.safeParse({ ...email, ...defined });
  const envIssues = fromEnv.issues.filter((issue) => /SMTP|ALERT_|SEED_ENV/.test(issue));
  if (!parsed.success || envIssues.length > 0) {
    throw new AiShieldConfigError([
      ...envIssues,
      ...(parsed.error?.issues ?? []).map(
        (issue) => `alerts.email.${issue.path.join('.')}: ${issue.message}`,
      ),
    ]);
  }
  return parsed.data;
}

/**
 * Creates an email alert channel. Settings come from `options`, then from `AI_SHIELD_SMTP_SERVER`,
 * `AI_SHIELD_SMTP_PORT`, `AI_SHIELD_SMTP_SECURITY`, `AI_SHIELD_SMTP_USERNAME`, `AI_SHIELD_SMTP_PASSWORD`,
 * `AI_SHIELD_ALERT_SENDER` and `AI_SHIELD_ALERT_RECIPIENTS`. The transport is created on the first alert.
 * @example
 * import { createSmtpAlerter } from '@ai-shield/core/node';
 * app.use(aiShield({ alerts: { channels: [createSmtpAlerter()] } }));
 */
export function createSmtpAlerter(options: SmtpAlerterOptions = {}): Alerter {
  const email = resolveEmailOptions(options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (options.dangerouslyAllowInvalidCertificates) {
    console.warn(
      '[ai-shield] createSmtpAlerter: dangerouslyAllowInvalidCertificates is on; SMTP TLS certificates are not checked.',
    );
  }
  const security = email.security ?? (email.port === 465 ? 'tls' : 'starttls');
  let transport: Transporter | undefined;
  const transporter = () =>
    (transport ??= nodemailer.createTransport({
      host: email.host,
      port: email.port,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      ignoreTLS: security === 'none',
      ...(email.user ? { auth: { user: email.user, pass: email.pass ?? '' } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      tls: {
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.dangerouslyAllowInvalidCertificates ? { rejectUnauthorized: false } : {}),
      },
    }));
  return {
    name: 'email',
    async send(alert, { signal }) {
      const { subject, text } = alertEmail(alert);
      const sending = transporter().sendMail({ from: email.sender, to: email.recipients, subject, text });
      // nodemailer has no AbortSignal: on abort, close the transport so the socket does not linger.
      const onAbort = () => {
        transport?.close();
        transport = undefined;
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await sending;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      transport?.close();
      transport = undefined;
    },
  };
}

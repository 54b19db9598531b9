/**
 * `withNodeSinks(options)`: turns the file and SMTP settings of the options or the environment
 * (`AI_SHIELD_AUDIT_LOG_PATH`, `AI_SHIELD_SECURITY_LOG_PATH`, `AI_SHIELD_SMTP_SERVER`, ...) into the Node implementations the
 * core cannot create itself (it never touches files or sockets).
 * @module
 */

import type { AuditHeadStore } from '../audit/types.js';
import { resolveOptions } from '../config/resolve.js';
import type { ShieldOptions } from '../config/schema.js';
import { withAuditHeads } from './audit-heads.js';
import { createFileSink, type FileSinkOptions } from './file-sink.js';
import { createSmtpAlerter, type SmtpAlerterOptions } from './smtp-alerter.js';

export interface NodeSinkOptions {
  /** Extra file sink settings (durability, rotation). */
  file?: Omit<FileSinkOptions, 'path' | 'dir' | 'model'>;
  /** Extra SMTP settings (timeouts, CA). */
  smtp?: Omit<SmtpAlerterOptions, 'env'>;
  /**
   * Where head records are also published (`createRedisAuditHeads`, `createFileAuditHeads`). Default:
   * `stores.auditHeads` when the options carry `createRedisStores(...)`.
   */
  heads?: AuditHeadStore;
}

/**
 * Adds a file audit sink when `audit.path` / `audit.dir` (or `AI_SHIELD_AUDIT_LOG_PATH` /
 * `AI_SHIELD_SECURITY_LOG_PATH`) are set and no sink was given, and an email channel when `alerts.email`
 * (or `AI_SHIELD_SMTP_SERVER`) is.
 * @example
 * import { withNodeSinks } from '@ai-shield/core/node';
 * app.use(aiShield(withNodeSinks({ modelName: 'chat', env: process.env })));
 */
export function withNodeSinks(options: ShieldOptions = {}, extra: NodeSinkOptions = {}): ShieldOptions {
  const env = options.env === undefined ? process.env : options.env;
  const { options: resolved } = resolveOptions({ ...options, env });
  const out: ShieldOptions = { ...options, env };
  const { audit, alerts } = resolved;
  if (audit.enabled && !audit.sink && (audit.path || audit.dir)) {
    const sink = createFileSink({
      ...extra.file,
      ...(audit.path ? { path: audit.path } : { dir: audit.dir! }),
      model: resolved.modelName,
      ...(audit.instance ? { instance: audit.instance } : {}),
    });
    const heads = extra.heads ?? (options.stores as { auditHeads?: AuditHeadStore } | undefined)?.auditHeads;
    out.audit = { ...options.audit, sink: heads ? withAuditHeads(sink, heads) : sink };
  }
  if (alerts.enabled && alerts.email && !alerts.channels.some((channel) => channel.name === 'email')) {
    const email = createSmtpAlerter({ ...extra.smtp, ...alerts.email, env: false });
    out.alerts = { ...options.alerts, channels: [...(options.alerts?.channels ?? []), email] };
  }
  return out;
}

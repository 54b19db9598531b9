import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../alerts/types.js';
import { createMemorySink } from '../audit/memory-sink.js';
import { createShield } from '../shield.js';
import { createSmtpAlerter, resolveEmailOptions } from './smtp-alerter.js';

const alert: Alert = {
  id: 'a1',
  rule: 'lockout',
  key: '203.0.113.9',
  severity: 'high',
  title: 'lockout: 1 lockout for clientIp 203.0.113.9 within 900 s',
  message: 'lockout: 1 lockout for clientIp 203.0.113.9 within 900 s\n- lockout (high) ip=203.0.113.9',
  count: 1,
  windowSec: 900,
  firstAt: new Date(0).toISOString(),
  lastAt: new Date(0).toISOString(),
  phase: 'threshold',
  samples: [],
  model: 'chat',
  instance: 'test',
};

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function startSmtp() {
  const received: Array<{ from?: string; to: string[]; raw: Buffer; secure: boolean; user?: string }> = [];
  const server = new SMTPServer({
    // STARTTLS with smtp-server's built-in self-signed certificate; AUTH only after TLS.
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 's3cret-pass')
        return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          ...(session.envelope.mailFrom ? { from: session.envelope.mailFrom.address } : {}),
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as { port: number };
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

describe('createSmtpAlerter', () => {
  it('sends through STARTTLS with auth; the received mail carries the alert', async () => {
    const { port, received } = await startSmtp();
    const alerter = createSmtpAlerter({
      env: {
        AI_SHIELD_SMTP_SERVER: '127.0.0.1',
        AI_SHIELD_SMTP_PORT: String(port),
        AI_SHIELD_ALERT_SENDER: 'ai-alerts@example.com',
        AI_SHIELD_ALERT_RECIPIENTS: 'sec@example.com, oncall@example.com',
        AI_SHIELD_SMTP_USERNAME: 'alerts',
        AI_SHIELD_SMTP_PASSWORD: 's3cret-pass',
      },
      dangerouslyAllowInvalidCertificates: true,
    });
    cleanup.push(() => alerter.close?.());
    await alerter.send(alert, { signal: new AbortController().signal });
    expect(received).toHaveLength(1);
    const [mail] = received;
    expect(mail).toMatchObject({
      from: 'ai-alerts@example.com',
      to: ['sec@example.com', 'oncall@example.com'],
      secure: true,
      user: 'alerts',
    });
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toBe(`[AI Shield] HIGH: ${alert.title}`);
    expect(parsed.text).toContain('ip=203.0.113.9');
    expect(parsed.text).not.toContain('s3cret-pass');
  });

  it('rejects wrong credentials (the dispatcher retries, then records it)', async () => {
    const { port } = await startSmtp();
    const alerter = createSmtpAlerter({
      host: '127.0.0.1',
      port,
      user: 'alerts',
      pass: 'nope',
      recipients: ['a@example.com'],
      env: false,
      dangerouslyAllowInvalidCertificates: true,
    });
    cleanup.push(() => alerter.close?.());
    await expect(alerter.send(alert, { signal: new AbortController().signal })).rejects.toThrow(
      /Invalid username|auth/i,
    );
  });

  it('reads the seed env names only when asked, and reports missing settings by name', () => {
    const seed = {
      SMTP_SERVER: 'smtp.company.com',
      SMTP_PORT: '587',
      ALERT_RECIPIENTS: 'security-team@company.com',
    };
    expect(resolveEmailOptions({ env: { ...seed, AI_SHIELD_SEED_ENV: '1' } })).toMatchObject({
      host: 'smtp.company.com',
      port: 587,
      recipients: ['security-team@company.com'],
    });
    expect(resolveEmailOptions({ env: seed, seedEnv: true })).toMatchObject({ host: 'smtp.company.com' });
    // Without the opt-in the bare names are not read: there is no SMTP server at all.
    expect(() => resolveEmailOptions({ env: seed })).toThrow(/alerts\.email\.host/);
    expect(() => resolveEmailOptions({ env: { AI_SHIELD_SMTP_SERVER: 'smtp.company.com' } })).toThrow(
      /an SMTP server is set but no recipients: list at least one \(AI_SHIELD_ALERT_RECIPIENTS/,
    );
    expect(() =>
      resolveEmailOptions({
        env: {
          AI_SHIELD_SMTP_SERVER: 'smtp.company.com',
          AI_SHIELD_SMTP_PORT: '2525x',
          AI_SHIELD_ALERT_RECIPIENTS: 'a@b.c',
        },
      }),
    ).toThrow(
      'AI_SHIELD_SMTP_PORT="2525x" (environment): expected a port number (1-65535), for alerts.email.port',
    );
  });

  it('sends in plain text to a loopback mail catcher only when allowed (AI_SHIELD_SMTP_SECURITY=none)', async () => {
    const received: string[] = [];
    const catcher = new SMTPServer({
      // A development mail catcher (Mailpit, MailHog): no TLS at all, no auth.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(
            `${session.secure ? 'tls' : 'plain'} ${session.envelope.rcptTo.map((r) => r.address)}`,
          );
          callback();
        });
      },
    });
    catcher.listen(0, '127.0.0.1');
    await once(catcher.server, 'listening');
    cleanup.push(() => new Promise<void>((resolve) => catcher.close(() => resolve())));
    const port = String((catcher.server.address() as { port: number }).port);
    const env = {
      AI_SHIELD_SMTP_SERVER: '127.0.0.1',
      AI_SHIELD_SMTP_PORT: port,
      AI_SHIELD_ALERT_RECIPIENTS: 'dev@localhost',
    };

    // The safe default insists on STARTTLS, which this server does not offer.
    const strict = createSmtpAlerter({ env, timeoutMs: 2000 });
    cleanup.push(() => strict.close?.());
    await expect(strict.send(alert, { signal: new AbortController().signal })).rejects.toThrow(/STARTTLS/i);
    expect(received).toEqual([]);

    const plain = createSmtpAlerter({ env: { ...env, AI_SHIELD_SMTP_SECURITY: 'none' } });
    cleanup.push(() => plain.close?.());
    await plain.send(alert, { signal: new AbortController().signal });
    expect(received).toEqual(['plain dev@localhost']);

    // Plain text never leaves the machine.
    expect(() =>
      createSmtpAlerter({
        env: { ...env, AI_SHIELD_SMTP_SERVER: 'smtp.company.com', AI_SHIELD_SMTP_SECURITY: 'none' },
      }),
    ).toThrow(/alerts\.email\.security: 'none' \(plain text\) is accepted for a loopback SMTP server only/);
    for (const host of ['localhost', '127.0.0.2', '::1', '[::1]', 'mail.localhost']) {
      expect(
        resolveEmailOptions({ env: false, host, security: 'none', recipients: ['a@b.c'] }).security,
      ).toBe('none');
    }
  });

  it('a hanging SMTP server does not slow requests; the alert ends up undeliverable in the audit log', async () => {
    const sockets: Socket[] = [];
    const hanging: Server = createServer((socket) => sockets.push(socket)); // Accepts, never greets.
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    cleanup.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => hanging.close(() => resolve()));
    });
    const { port } = hanging.address() as { port: number };
    const sink = createMemorySink();
    const shield = createShield({
      env: false,
      logger: { warn: () => {}, error: () => {} },
      audit: { sink },
      alerts: {
        rules: [{ name: 'any', threshold: 1, groupBy: 'none' }],
        channels: [
          createSmtpAlerter({
            host: '127.0.0.1',
            port,
            recipients: ['sec@example.com'],
            env: false,
            timeoutMs: 60_000,
          }),
        ],
        retries: 0,
        timeoutMs: 300,
      },
    });
    const decision = await shield.protect({
      method: 'POST',
      path: '/v1/chat',
      headers: { 'content-type': 'text/plain' },
      socketIp: '198.51.100.7',
      bodyText: 'hi',
    });
    expect(decision.action).toBe('block');
    // protect() has returned while the delivery is still stuck on the silent server.
    expect(sink.entries().some((e) => e.type === 'alert.undeliverable' || e.type === 'alert.sent')).toBe(
      false,
    );
    await vi.waitFor(() => expect(sockets.length).toBe(1));
    await vi.waitFor(async () => {
      await shield.flush();
      expect(sink.entries().some((e) => e.type === 'alert.undeliverable')).toBe(true);
    });
    const undeliverable = sink.entries().find((e) => e.type === 'alert.undeliverable')!;
    expect(undeliverable.data).toMatchObject({ channel: 'email', attempts: 1 });
    expect(String(undeliverable.data!.error)).toMatch(/timed out/);
    const summary = await shield.getIncidentSummary();
    expect(summary.byType.alert_failure).toBe(1);
    await shield.close();
  });
});

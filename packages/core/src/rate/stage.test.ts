/**
 * Failed attempts through the whole pipeline: counted per address and per identity, growing delays, valid
 * credentials let through from a delayed address (real JWTs signed with jose).
 */
import { type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/types.js';
import { createShield } from '../shield.js';
import type { ShieldRequest } from '../types.js';

const SECRET = 'k3Y-for-tests-0123456789abcdefghijklmnop'; // 40 bytes
const silent = { warn: () => {}, error: () => {} };
const nowSec = () => Math.floor(Date.now() / 1000);

const request = (token?: string, extra: Partial<ShieldRequest> = {}): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: {
    'content-type': 'application/json',
    ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
  },
  socketIp: '203.0.113.10',
  bodyText: JSON.stringify({ messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
  ...extra,
});

function hs256(claims: JWTPayload = {}, secret = SECRET) {
  const iat = nowSec();
  return new SignJWT({
    sub: 'alice',
    roles: ['ai.playground.user'],
    iat,
    exp: iat + 600,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

describe('failed attempts and delays', () => {
  const withAlerts = (
    alerts: Alert[],
    failedAttempts: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) =>
    createShield({
      env: false,
      logger: silent,
      access: { jwt: { secret: SECRET } },
      rate: { minIntervalMs: 0, failedAttempts },
      alerts: { channels: [{ name: 'test', send: async (alert) => void alerts.push(alert) }] },
      ...extra,
    });

  it('delays an address after failed authentications, lets valid credentials through, records an incident and alerts', async () => {
    const alerts: Alert[] = [];
    const shield = withAlerts(alerts, { max: 3, delaySec: 20, blockDurationSec: 60 });
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) codes.push((await shield.protect(request(`bad.token.${i}`))).code);
    expect(codes).toEqual(Array(3).fill('ERR_ACCESS_TOKEN_INVALID'));
    // Without a valid credential the address waits: no further guesses, no credential oracle.
    for (const token of ['bad.token.3', undefined]) {
      const delayed = await shield.protect(request(token));
      expect(delayed).toMatchObject({ status: 429, code: 'ERR_RATE_LOCKED_OUT' });
      expect(Number(delayed.headers['retry-after'])).toBe(20);
    }
    // Behind a shared proxy the address is everyone's: a valid credential still passes.
    expect((await shield.protect(request(await hs256()))).action).toBe('allow');
    expect((await shield.protect(request('bad.token.4', { socketIp: '198.51.100.1' }))).status).toBe(401);
    await shield.flush();
    const summary = await shield.getIncidentSummary();
    expect(summary.byType.lockout).toBe(1);
    expect(summary.byType.access_denied).toBe(4);
    expect(alerts.map((alert) => alert.rule)).toContain('lockout');
  });

  it('doubles the delay with each further failure, up to blockDurationSec', async () => {
    const shield = withAlerts([], { max: 2, delaySec: 0.05, blockDurationSec: 0.15 });
    const delays: string[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = await shield.protect(request(`bad.token.${i}`));
      const finding = decision.findings.find((f) => f.kind.startsWith('rate.lockout_'));
      if (finding) delays.push(`${finding.kind} ${/delayed ([\d.]+) s/.exec(finding.message)?.[1]}`);
      // Let the running delay end, so the next failure is counted (a delayed request is not).
      if (finding) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(delays).toEqual([
      'rate.lockout_started 0.05',
      'rate.lockout_extended 0.1',
      'rate.lockout_extended 0.15',
      'rate.lockout_extended 0.15',
    ]);
  });

  it('delays an identity that keeps failing, from any address, and only that identity', async () => {
    const shield = withAlerts(
      [],
      { max: 3, delaySec: 30 },
      {
        routes: { 'POST /v1/chat': { access: { roles: ['ai.playground.user'] } } },
      },
    );
    const viewer = await hs256({ sub: 'viewer-1', roles: ['viewer'] });
    for (let i = 0; i < 3; i++)
      expect((await shield.protect(request(viewer))).code).toBe('ERR_ACCESS_FORBIDDEN');
    const elsewhere = await shield.protect(request(viewer, { socketIp: '198.51.100.7' }));
    expect(elsewhere).toMatchObject({ status: 429, code: 'ERR_RATE_LOCKED_OUT' });
    expect(elsewhere.reasons[0]).toBe('Too many failed attempts for this identity: retry in 30 s');
    // Another identity from the same (now delayed) address is not affected.
    expect((await shield.protect(request(await hs256({ sub: 'user-2' })))).action).toBe('allow');
  });

  it('counts genuine refused tokens against their subject, forged ones against the address only', async () => {
    const shield = withAlerts([], { max: 3, delaySec: 30 });
    // Signed with another key: the subject is the attacker's claim, not a fact.
    for (let i = 0; i < 5; i++) {
      await shield.protect(
        request(await hs256({ sub: 'victim' }, 'x'.repeat(40)), { socketIp: '192.0.2.66' }),
      );
    }
    expect(
      (await shield.protect(request(await hs256({ sub: 'victim' }), { socketIp: '192.0.2.1' }))).action,
    ).toBe('allow');
    // Correctly signed but expired: that identity did fail, wherever it comes from.
    for (let i = 0; i < 3; i++) {
      const expired = await hs256({ sub: 'alice', exp: nowSec() - 60 });
      expect((await shield.protect(request(expired, { socketIp: `192.0.2.${10 + i}` }))).code).toBe(
        'ERR_ACCESS_TOKEN_EXPIRED',
      );
    }
    expect(
      await shield.protect(request(await hs256({ sub: 'alice' }), { socketIp: '192.0.2.20' })),
    ).toMatchObject({
      status: 429,
      code: 'ERR_RATE_LOCKED_OUT',
    });
  });
});

import { createServer, type Server } from 'node:http';
import {
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySink } from '../audit/memory-sink.js';
import type { ShieldOptions } from '../config/schema.js';
import { isAiShieldError } from '../errors.js';
import { createShield } from '../shield.js';
import type { ShieldRequest } from '../types.js';
import { createTokenIssuer, issueToken } from './jwt.js';

const SECRET = 'k3Y-for-tests-0123456789abcdefghijklmnop'; // 40 bytes
const silent = { warn: () => {}, error: () => {} };
const ROLE = 'ai.playground.user';

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

const shieldWith = (access: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  createShield({
    env: false,
    logger: silent,
    rate: { minIntervalMs: 0, failedAttempts: false },
    ...extra,
    access,
  } as ShieldOptions);

const nowSec = () => Math.floor(Date.now() / 1000);

function hs256(claims: JWTPayload = {}, secret = SECRET, header: Record<string, unknown> = {}) {
  const iat = nowSec();
  return new SignJWT({
    sub: 'alice',
    roles: [ROLE],
    iat,
    exp: iat + 600,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(new TextEncoder().encode(secret));
}

describe('JWT access (real keys and tokens)', () => {
  it('accepts a valid HS256 token; the decision and audit entry carry the subject, never the token', async () => {
    const sink = createMemorySink();
    const shield = shieldWith(
      { jwt: { secret: SECRET } },
      { audit: { sink, sampleAllows: 1, payloads: 'full' } },
    );
    const token = await hs256({}, SECRET, { kid: 'k1' });
    const decision = await shield.protect(request(token));
    expect(decision.action).toBe('allow');
    expect(decision.identity).toEqual({ id: 'alice', kind: 'jwt', roles: [ROLE], keyId: 'k1' });
    await shield.flush();
    const entries = sink.entries();
    const record = entries.find((entry) => entry.type === 'decision');
    expect(record?.identity).toEqual({ id: 'alice', kind: 'jwt', keyId: 'k1' });
    expect(JSON.stringify(entries)).not.toContain(token);
    expect(JSON.stringify(entries)).not.toContain(token.split('.')[2]);
  });

  it('answers a missing token with 401 and a bare Bearer challenge (RFC 6750 §3)', async () => {
    const shield = shieldWith({ jwt: { secret: SECRET } });
    const decision = await shield.protect(request());
    expect(decision).toMatchObject({ action: 'block', status: 401, code: 'ERR_ACCESS_UNAUTHENTICATED' });
    expect(decision.headers['www-authenticate']).toBe('Bearer realm="ai-shield"');
  });

  it('refuses every bad token with 401 invalid_token and a stable code', async () => {
    const shield = shieldWith({ jwt: { secret: SECRET, issuer: 'https://id.example', audience: 'ai-api' } });
    const good = (claims: JWTPayload = {}) => hs256({ iss: 'https://id.example', aud: 'ai-api', ...claims });
    const valid = await good();
    const [h, p, s] = valid.split('.') as [string, string, string];
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] }),
    ).toString('base64url');
    const cases: Array<[string, string, string, string]> = [
      ['expired', await good({ exp: nowSec() - 3600 }), 'ERR_ACCESS_TOKEN_EXPIRED', 'access.token_expired'],
      [
        'not yet valid',
        await good({ nbf: nowSec() + 3600 }),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_not_yet_valid',
      ],
      [
        'wrong audience',
        await good({ aud: 'other-api' }),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_audience',
      ],
      [
        'wrong issuer',
        await good({ iss: 'https://evil.example' }),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_issuer',
      ],
      [
        'tampered payload',
        `${h}.${tamperedPayload}.${s}`,
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_signature',
      ],
      [
        'wrong key',
        await hs256({ iss: 'https://id.example', aud: 'ai-api' }, 'another-secret-0123456789abcdefghijkl'),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_signature',
      ],
      [
        'alg none',
        new UnsecuredJWT({ roles: [ROLE], iss: 'https://id.example', aud: 'ai-api' })
          .setSubject('alice')
          .setExpirationTime('10m')
          .encode(),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_algorithm',
      ],
      [
        'no exp',
        await new SignJWT({ roles: [ROLE], iss: 'https://id.example', aud: 'ai-api' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .sign(new TextEncoder().encode(SECRET)),
        'ERR_ACCESS_TOKEN_INVALID',
        'access.token_no_expiry',
      ],
      ['garbage', 'not.a.jwt', 'ERR_ACCESS_TOKEN_INVALID', 'access.token_malformed'],
    ];
    for (const [name, token, code, kind] of cases) {
      const decision = await shield.protect(request(token));
      expect([name, decision.status, decision.code]).toEqual([name, 401, code]);
      expect(decision.findings.map((f) => f.kind)).toContain(kind);
      expect(decision.headers['www-authenticate']).toMatch(
        /^Bearer realm="ai-shield", error="invalid_token", error_description="[^"]+"$/,
      );
      expect(decision.identity).toBeUndefined();
    }
  });

  it('refuses an HS256 token "signed" with the RSA public key (algorithm confusion)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const shield = shieldWith({ jwt: { publicKey: pem, algorithm: 'RS256' } });
    const rs = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await shield.protect(request(rs))).action).toBe('allow');
    const forged = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    const decision = await shield.protect(request(forged));
    expect(decision).toMatchObject({ status: 401, code: 'ERR_ACCESS_TOKEN_INVALID' });
    expect(decision.findings.map((f) => f.kind)).toContain('access.token_algorithm');
  });

  it('verifies RS256, PS256, ES256, EdDSA and HS384/HS512, each key pinned to its algorithm', async () => {
    const keys: Array<Record<string, unknown>> = [];
    const tokens: Array<[string, string]> = [];
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
      const kid = `kid-${alg}`;
      keys.push(
        alg === 'ES256'
          ? { kid, jwk: { ...(await exportJWK(publicKey)), alg } }
          : { kid, alg, publicKey: await exportSPKI(publicKey) },
      );
      tokens.push([
        alg,
        await new SignJWT({ roles: [ROLE] })
          .setProtectedHeader({ alg, kid })
          .setSubject(`user-${alg}`)
          .setExpirationTime('5m')
          .sign(privateKey),
      ]);
    }
    for (const [alg, secret] of [
      ['HS384', 'x'.repeat(48)],
      ['HS512', 'y'.repeat(64)],
    ] as const) {
      keys.push({ kid: `kid-${alg}`, alg, secret });
      tokens.push([
        alg,
        await new SignJWT({ roles: [ROLE] })
          .setProtectedHeader({ alg, kid: `kid-${alg}` })
          .setSubject(`user-${alg}`)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(secret)),
      ]);
    }
    const shield = shieldWith({ jwt: { keys } });
    for (const [alg, token] of tokens) {
      const decision = await shield.protect(request(token));
      expect([alg, decision.action, decision.identity?.id]).toEqual([alg, 'allow', `user-${alg}`]);
    }
    // An ES256 token presented under the RS256 key's kid does not verify with that key.
    const { privateKey } = await generateKeyPair('ES256');
    const wrongKid = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'ES256', kid: 'kid-RS256' })
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await shield.protect(request(wrongKid))).code).toBe('ERR_ACCESS_TOKEN_INVALID');
    const unknownKid = await hs256({}, 'x'.repeat(48), { alg: 'HS384', kid: 'kid-nobody' });
    const unknown = await shield.protect(request(unknownKid));
    expect(unknown.code).toBe('ERR_ACCESS_TOKEN_INVALID');
    expect(unknown.findings.map((f) => f.kind)).toContain('access.token_unknown_key');
  });

  it('answers a missing role with 403 and insufficient_scope, per route', async () => {
    const shield = shieldWith(
      { jwt: { secret: SECRET } },
      {
        routes: {
          'POST /v1/chat': { access: { roles: [ROLE] } },
          'POST /v1/admin': { access: { scopes: ['admin:write'] } },
        },
      },
    );
    const noRole = await hs256({ roles: ['ai.playground.viewer'] });
    const decision = await shield.protect(request(noRole));
    expect(decision).toMatchObject({ action: 'block', status: 403, code: 'ERR_ACCESS_FORBIDDEN' });
    expect(decision.reasons[0]).toBe(`Missing required role: ${ROLE}`);
    expect(decision.identity?.id).toBe('alice');
    expect(decision.headers['www-authenticate']).toBe('Bearer realm="ai-shield", error="insufficient_scope"');
    expect((await shield.protect(request(await hs256()))).action).toBe('allow');
    // Other routes only need a valid token.
    expect((await shield.protect(request(noRole, { path: '/v1/predict' }))).action).toBe('allow');
    const admin = await shield.protect(
      request(await hs256({ scope: 'read admin:write' }), { path: '/v1/admin' }),
    );
    expect(admin.action).toBe('allow');
    expect(admin.identity?.scopes).toEqual(['read', 'admin:write']);
    const notAdmin = await shield.protect(request(await hs256({ scope: 'read' }), { path: '/v1/admin' }));
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.headers['www-authenticate']).toBe(
      'Bearer realm="ai-shield", error="insufficient_scope", scope="admin:write"',
    );
  });

  it('refuses a replayed jti (single-use tokens) and a token without jti', async () => {
    const shield = shieldWith({ jwt: { secret: SECRET, replay: true } });
    const token = await hs256();
    expect((await shield.protect(request(token))).action).toBe('allow');
    const again = await shield.protect(request(token, { path: '/v1/predict' }));
    expect(again).toMatchObject({ status: 401, code: 'ERR_ACCESS_TOKEN_REPLAYED' });
    expect(again.headers['www-authenticate']).toContain('error="invalid_token"');
    const noJti = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect((await shield.protect(request(noJti))).findings.map((f) => f.kind)).toContain(
      'access.token_no_jti',
    );
  });

  it('applies the session timeout (maxAgeSec) to iat and the clock tolerance to exp', async () => {
    const shield = shieldWith({ jwt: { secret: SECRET, maxAgeSec: 3600, clockToleranceSec: 30 } });
    const old = await hs256({ iat: nowSec() - 7200, exp: nowSec() + 600 });
    const decision = await shield.protect(request(old));
    expect(decision.code).toBe('ERR_ACCESS_TOKEN_EXPIRED');
    expect(decision.findings.map((f) => f.kind)).toContain('access.token_too_old');
    const justExpired = await hs256({ exp: nowSec() - 5 });
    expect((await shield.protect(request(justExpired))).action).toBe('allow');
  });

  it('reads AI_SHIELD_JWT_SECRET, _JWT_ALGORITHM and _SESSION_TIMEOUT from env', async () => {
    const shield = createShield({
      logger: silent,
      env: {
        AI_SHIELD_JWT_SECRET: SECRET,
        AI_SHIELD_JWT_ALGORITHM: 'HS256',
        AI_SHIELD_SESSION_TIMEOUT: '1h',
      },
    });
    expect(shield.options.access.jwt).toMatchObject({ secret: SECRET, algorithm: 'HS256', maxAgeSec: 3600 });
    expect((await shield.protect(request())).status).toBe(401);
    expect((await shield.protect(request(await hs256()))).action).toBe('allow');
    // Without a key source JWT stays off even when other JWT settings are in the environment.
    const off = createShield({
      logger: silent,
      env: { AI_SHIELD_SESSION_TIMEOUT: '3600', AI_SHIELD_TOKEN_EXPIRY_HOURS: '2' },
    });
    expect((await off.protect(request())).action).not.toBe('block');
  });

  it('leaves a SECRET_KEY of the app alone unless the seed names are asked for', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error: () => {} };
    const app = createShield({ logger, env: { SECRET_KEY: SECRET, RATE_LIMIT: '5' } });
    expect(app.options.access.jwt).toBeUndefined();
    expect(app.options.rate.perIp).toEqual({ points: 100, durationSec: 60 });
    expect((await app.protect(request())).status).toBe(200);
    expect(warnings).toEqual([
      "environment: RATE_LIMIT (AI Shield reads AI_SHIELD_RATE_LIMIT), SECRET_KEY (AI Shield reads AI_SHIELD_JWT_SECRET) are set but not read; set AI_SHIELD_SEED_ENV=1 to read the seeds' bare names, or AI_SHIELD_SEED_ENV=0 to silence this notice",
    ]);
    expect(
      createShield({ logger: silent, env: { SECRET_KEY: SECRET, AI_SHIELD_SEED_ENV: '1' } }).options.access
        .jwt,
    ).toMatchObject({ secret: SECRET });
    expect(
      createShield({ logger: silent, seedEnv: true, env: { SECRET_KEY: SECRET } }).options.access.jwt,
    ).toMatchObject({ secret: SECRET });
    warnings.length = 0;
    createShield({ logger, env: { SECRET_KEY: SECRET, AI_SHIELD_SEED_ENV: '0' } });
    expect(warnings).toEqual([]);
  });

  it('warns once at start-up when JWT is on without issuer or audience', () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error: () => {} };
    createShield({
      logger,
      env: false,
      access: { jwt: { secret: SECRET } },
      routes: { 'POST /v1/chat': { access: { roles: ['user'] } } },
    });
    expect(warnings).toEqual([
      'access.jwt has no issuer and audience: any unexpired token signed with this key is accepted, whoever it was issued to or for; set access.jwt.issuer and access.jwt.audience (AI_SHIELD_JWT_ISSUER, AI_SHIELD_JWT_AUDIENCE)',
    ]);
    warnings.length = 0;
    createShield({
      logger,
      env: false,
      access: { jwt: { secret: SECRET, issuer: 'https://id', audience: 'api' } },
    });
    expect(warnings).toEqual([]);
  });

  it('rejects unsafe key options at factory time, listing every problem', () => {
    const attempt = (jwt: Record<string, unknown>) => {
      try {
        shieldWith({ jwt });
      } catch (error) {
        expect(isAiShieldError(error)).toBe(true);
        return (error as { issues: string[] }).issues.join('\n');
      }
      return '';
    };
    expect(attempt({ secret: 'short' })).toMatch(/HS256 needs a secret of at least 32 bytes/);
    expect(attempt({ secret: 'z'.repeat(40), algorithm: 'HS512' })).toMatch(
      /HS512 needs a secret of at least 64/,
    );
    expect(attempt({ secret: SECRET, algorithm: 'RS256' })).toMatch(/verifies HS256\/384\/512 only/);
    const pem = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----';
    expect(attempt({ publicKey: pem, algorithm: 'HS256' })).toMatch(/HS\/RS confusion/);
    expect(attempt({ publicKey: pem })).toMatch(/set the key's algorithm/);
    expect(
      attempt({ publicKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----', algorithm: 'RS256' }),
    ).toMatch(/this is a private key/);
    expect(attempt({ jwksUrl: 'http://id.example/jwks.json' })).toMatch(/use https/);
    expect(attempt({ jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c', alg: 'ES256' } })).toMatch(
      /private key/,
    );
  });

  it('warns once for dangerouslyAllowAnonymous and lets anonymous requests through', async () => {
    const warnings: string[] = [];
    const shield = createShield({
      env: false,
      logger: { warn: (m) => warnings.push(m), error: () => {} },
      access: { jwt: { secret: SECRET }, dangerouslyAllowAnonymous: true },
      routes: { 'POST /v1/chat': { access: { roles: [ROLE] } } },
    });
    expect(warnings.filter((w) => w.includes('dangerouslyAllowAnonymous'))).toHaveLength(1);
    expect((await shield.protect(request(undefined, { path: '/v1/predict' }))).action).not.toBe('block');
    // Routes requiring a role still need a token; bad tokens are still refused.
    expect((await shield.protect(request())).status).toBe(401);
    expect((await shield.protect(request('x.y.z', { path: '/v1/predict' }))).status).toBe(401);
  });
});

describe('JWKS (real HTTP server on 127.0.0.1)', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  const published: JWK[] = [];
  const signers: Record<string, CryptoKey> = {};

  const addKey = async (kid: string) => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    published.push({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
    signers[kid] = privateKey;
  };
  const sign = (kid: string, claims: JWTPayload = {}) =>
    new SignJWT({ roles: [ROLE], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('svc-1')
      .setExpirationTime('5m')
      .sign(signers[kid]!);

  beforeAll(async () => {
    await addKey('old');
    server = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches once, caches, refetches on an unknown kid (key rotation), and refuses kids it never finds', async () => {
    const shield = shieldWith({ jwt: { jwksUrl: url, jwksCooldownSec: 0 } });
    expect(fetches).toBe(0); // nothing fetched at creation
    expect((await shield.protect(request(await sign('old')))).action).toBe('allow');
    expect((await shield.protect(request(await sign('old')))).identity).toMatchObject({
      id: 'svc-1',
      keyId: 'old',
    });
    expect(fetches).toBe(1);
    await addKey('new');
    expect((await shield.protect(request(await sign('new')))).action).toBe('allow');
    expect(fetches).toBe(2);
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'RS256', kid: 'unknown' })
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
    const decision = await shield.protect(request(stranger));
    expect(decision).toMatchObject({ status: 401, code: 'ERR_ACCESS_TOKEN_INVALID' });
    expect(decision.findings.map((f) => f.kind)).toContain('access.token_unknown_key');
    // A known kid with a forged signature is refused too.
    const forged = await new SignJWT({ roles: [ROLE] })
      .setProtectedHeader({ alg: 'RS256', kid: 'old' })
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await shield.protect(request(forged))).code).toBe('ERR_ACCESS_TOKEN_INVALID');
  });

  it('bounds refetches with the cooldown', async () => {
    const shield = shieldWith({ jwt: { jwksUrl: url, jwksCooldownSec: 600 } });
    const before = fetches;
    await shield.protect(request(await sign('old')));
    const { privateKey } = await generateKeyPair('RS256');
    for (let i = 0; i < 5; i++) {
      const token = await new SignJWT({ roles: [ROLE] })
        .setProtectedHeader({ alg: 'RS256', kid: `probe-${i}` })
        .setSubject('mallory')
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await shield.protect(request(token))).status).toBe(401);
    }
    expect(fetches - before).toBe(1);
  });

  it('fails closed (503, listed in failures) when the JWKS cannot be fetched', async () => {
    const shield = shieldWith({ jwt: { jwksUrl: 'http://127.0.0.1:9/jwks.json', jwksTimeoutMs: 2000 } });
    const decision = await shield.protect(request(await sign('old')));
    expect(decision).toMatchObject({ status: 503, code: 'ERR_STAGE_FAILED' });
    expect(decision.failures[0]).toMatchObject({ stage: 'access', policy: 'closed' });
  });
});

describe('token issuing (seed 002 generate_token)', () => {
  it('names an unreadable environment value instead of ignoring it', () => {
    expect(() =>
      createTokenIssuer({ env: { AI_SHIELD_JWT_SECRET: SECRET, AI_SHIELD_TOKEN_EXPIRY_HOURS: 'soon' } }),
    ).toThrow(
      'AI_SHIELD_TOKEN_EXPIRY_HOURS="soon" (environment): expected hours (1), or a duration: 30m, 2h',
    );
  });

  it('issues tokens the shield accepts, with jti, nonce and AI_SHIELD_TOKEN_EXPIRY_HOURS expiry', async () => {
    const issuer = createTokenIssuer({
      env: { AI_SHIELD_JWT_SECRET: SECRET, AI_SHIELD_TOKEN_EXPIRY_HOURS: '2' },
    });
    const token = await issuer.issue({ subject: 'alice_01', roles: [ROLE] });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ sub: 'alice_01', roles: [ROLE] });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(payload.exp - payload.iat).toBe(7200);
    const shield = shieldWith(
      { jwt: { secret: SECRET, replay: true } },
      { routes: { 'POST /v1/chat': { access: { roles: [ROLE] } } } },
    );
    expect((await shield.protect(request(token))).identity?.id).toBe('alice_01');
    expect((await shield.protect(request(token))).code).toBe('ERR_ACCESS_TOKEN_REPLAYED');
  });

  it('validates subject and role formats', async () => {
    const issuer = createTokenIssuer({ secret: SECRET });
    await expect(issuer.issue({ subject: 'a', roles: [ROLE] })).rejects.toThrow(/subject/);
    await expect(issuer.issue({ subject: 'alice"; drop', roles: [ROLE] })).rejects.toThrow(/subject/);
    await expect(issuer.issue({ subject: 'alice', roles: ['Admin!'] })).rejects.toThrow(/roles/);
    expect(() => createTokenIssuer({ secret: 'short' })).toThrow(/at least 32 bytes/);
  });

  it('issues tokens without roles: valid where no role is required, 403 where one is', async () => {
    const issuer = createTokenIssuer({ secret: SECRET });
    const noRoles = await issuer.issue({ subject: 'alice', roles: [] });
    const omitted = await issuer.issue({ subject: 'alice' });
    const open = shieldWith({ jwt: { secret: SECRET } });
    for (const token of [noRoles, omitted]) {
      expect((await open.protect(request(token))).identity).toMatchObject({ id: 'alice', roles: [] });
    }
    const guarded = shieldWith(
      { jwt: { secret: SECRET } },
      { routes: { 'POST /v1/chat': { access: { roles: [ROLE] } } } },
    );
    expect(await guarded.protect(request(noRoles))).toMatchObject({
      status: 403,
      code: 'ERR_ACCESS_FORBIDDEN',
    });
  });

  it('without a key, createTokenIssuer() is a configuration error naming what to set', () => {
    const call = () => (createTokenIssuer as (options?: object) => unknown)();
    expect(call).toThrow(/set exactly one of secret \(or AI_SHIELD_JWT_SECRET\) and privateKey/);
    try {
      call();
    } catch (error) {
      expect(isAiShieldError(error) && error.code).toBe('ERR_CONFIG_INVALID');
    }
  });

  it('signs with a private key (ES256) for asymmetric verification', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const token = await issueToken(
      { subject: 'svc-reports', roles: [ROLE], scopes: ['chat:write'] },
      {
        privateKey: await exportPKCS8(privateKey),
        algorithm: 'ES256',
        kid: 'es1',
        issuer: 'https://id.example',
      },
    );
    const shield = shieldWith({
      jwt: { publicKey: await exportSPKI(publicKey), algorithm: 'ES256', issuer: 'https://id.example' },
    });
    expect((await shield.protect(request(token))).identity).toMatchObject({
      id: 'svc-reports',
      scopes: ['chat:write'],
      keyId: 'es1',
    });
  });
});

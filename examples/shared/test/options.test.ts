/**
 * The examples' shield options with JWT on, as an attacker would try them: tokens for another issuer or
 * audience, and a replayed token, are refused; an app's own SECRET_KEY does not turn JWT on.
 */
import { createShield, createTokenIssuer, type ShieldRequest } from '@ai-shield/core';
import { describe, expect, it } from 'vitest';
import { exampleShieldOptions } from '../src/options.mjs';

const env = {
  AI_SHIELD_JWT_SECRET: 'examples-secret-0123456789abcdefghijkl',
  AI_SHIELD_JWT_ISSUER: 'https://id.example.test',
  AI_SHIELD_JWT_AUDIENCE: 'ai-playground',
};
const silent = { warn: () => {}, error: () => {} };
const request = (token: string): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  socketIp: '127.0.0.1',
  bodyText: JSON.stringify({ messages: [{ role: 'user', content: 'Name a prime number.' }] }),
});

describe('exampleShieldOptions with JWT', () => {
  const shield = createShield({
    ...exampleShieldOptions('test', env),
    env,
    logger: silent,
    rate: { minIntervalMs: 0 },
  });
  const mint = (overrides: Record<string, string> = {}) =>
    createTokenIssuer({ env: { ...env, ...overrides } }).issue({
      subject: 'user-1',
      roles: ['ai.playground.user'],
    });

  it('accepts a fresh token for this issuer and audience, once', async () => {
    const token = await mint();
    expect((await shield.protect(request(token))).status).toBe(200);
    expect(await shield.protect(request(token))).toMatchObject({
      status: 401,
      code: 'ERR_ACCESS_TOKEN_REPLAYED',
    });
  });

  it.each([
    ['another issuer', { AI_SHIELD_JWT_ISSUER: 'https://evil.example.test' }],
    ['another audience', { AI_SHIELD_JWT_AUDIENCE: 'billing-api' }],
  ])('refuses a token for %s', async (_name, overrides) => {
    expect(await shield.protect(request(await mint(overrides)))).toMatchObject({
      status: 401,
      code: 'ERR_ACCESS_TOKEN_INVALID',
    });
  });

  it('refuses to start with a key but no issuer or audience', () => {
    expect(() => exampleShieldOptions('test', { AI_SHIELD_JWT_SECRET: env.AI_SHIELD_JWT_SECRET })).toThrow(
      /AI_SHIELD_JWT_ISSUER and AI_SHIELD_JWT_AUDIENCE are not/,
    );
  });

  it('leaves JWT off for an app whose SECRET_KEY is for something else', () => {
    const options = exampleShieldOptions('test', { SECRET_KEY: env.AI_SHIELD_JWT_SECRET });
    expect(options.access).toBeUndefined();
    expect(
      createShield({ ...options, env: { SECRET_KEY: 'x'.repeat(50) }, logger: silent }).options.access.jwt,
    ).toBeUndefined();
  });
});

/**
 * A hung Redis (issue 13): the process is frozen with SIGSTOP (connections stay open, nothing answers),
 * then resumed with SIGCONT. The app must keep answering (within about one store timeout, not for the
 * length of the freeze), and counting must go back to Redis once it answers again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../test/redis-server.js';
import { createShield, isDenied, type Shield, toProblem } from '../shield.js';
import { toShieldRequestFromNode } from './node-request.js';
import { createRedisNonceStore } from './redis-nonce-store.js';
import { createRedisStore } from './redis-store.js';

const SECRET = 'freeze-test-secret-0123456789abcdefghij';
const STORE_TIMEOUT_MS = 200;
/** Far longer than one store timeout, far shorter than the freeze: a stall would show. */
const HANG_BOUND_MS = 1500;
const FREEZE_MS = 3000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function serve(shield: Shield): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const request = await toShieldRequestFromNode(req, {
      path: new URL(req.url ?? '/', 'http://x').pathname,
      maxBodyBytes: shield.options.validation.maxBodyBytes,
    });
    const decision = await shield.protect(request);
    res.setHeader('x-failures', decision.failures.map((f) => `${f.stage}:${f.policy}`).join(','));
    for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
    if (isDenied(decision)) {
      res.writeHead(decision.status, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(toProblem(decision)));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat` }),
    ),
  );
}

describe.skipIf(!redisAvailable())('a frozen Redis (real redis-server stopped with SIGSTOP)', () => {
  let redis: RedisServer;
  let client: Redis;
  let app: { server: Server; url: string };

  beforeAll(async () => {
    redis = await startRedis();
    // ioredis defaults (no command timeout, as in the issue): the shield's own bound must hold. The
    // README's client options (commandTimeout, ...) only stop abandoned commands piling up in the client.
    client = new Redis({ port: redis.port, host: '127.0.0.1' });
    client.on('error', () => {});
    await new Promise((resolve) => client.once('ready', resolve));
    const shield = createShield({
      env: false,
      logger: { warn: () => {}, error: () => {} },
      rate: {
        store: createRedisStore(client),
        storeTimeoutMs: STORE_TIMEOUT_MS,
        perIp: { points: 10_000 },
        minIntervalMs: 0,
      },
      access: { jwt: { secret: SECRET, replay: { store: createRedisNonceStore(client) } } },
    });
    app = await serve(shield);
  });

  afterAll(async () => {
    redis?.resume();
    app?.server.close();
    client?.disconnect();
    await redis?.stop();
  });

  const send = async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('5m')
      .setJti(crypto.randomUUID())
      .sign(new TextEncoder().encode(SECRET));
    const started = performance.now();
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started, failures: res.headers.get('x-failures') };
  };
  const counted = async () => Number(await client.get('ais:g:ip:127.0.0.1'));

  it('keeps answering during the freeze (insurance), and counts in Redis again after SIGCONT', async () => {
    for (let i = 0; i < 3; i++) expect(await send()).toMatchObject({ status: 200, failures: '' });
    expect(await counted()).toBe(3);

    redis.pause();
    const during: Array<Awaited<ReturnType<typeof send>>> = [];
    const frozenAt = performance.now();
    // Several requests in flight at once, again and again, for the length of the freeze.
    while (performance.now() - frozenAt < FREEZE_MS) {
      during.push(...(await Promise.all([send(), send(), send()])));
      await sleep(100);
    }
    redis.resume();

    expect(during.length).toBeGreaterThan(20);
    expect(during.every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(HANG_BOUND_MS);
    expect(during.every((r) => r.failures?.includes('rate:insurance'))).toBe(true);
    expect(during.some((r) => r.failures?.includes('access:insurance'))).toBe(true);
    expect(during.some((r) => r.failures?.includes('detection:insurance'))).toBe(true);

    // After SIGCONT the store is probed (once per second) and counting resumes there.
    let after = await send();
    for (let i = 0; i < 40 && after.failures !== ''; i++) {
      await sleep(100);
      after = await send();
    }
    expect(after).toMatchObject({ status: 200, failures: '' });
    const before = await counted();
    await send();
    expect(await counted()).toBe(before + 1);
  });
});

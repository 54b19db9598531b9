import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../test/redis-server.js';
import { createShield } from '../shield.js';
import type { ShieldRequest } from '../types.js';
import { createRedisNonceStore } from './redis-nonce-store.js';
import { createRedisStore } from './redis-store.js';

const SECRET = 'redis-test-secret-0123456789abcdefghij';
const silent = { warn: () => {}, error: () => {} };

const request = (token: string, ip = '203.0.113.30'): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  socketIp: ip,
  bodyText: JSON.stringify({ messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
});

const token = () =>
  new SignJWT({ roles: ['ai.playground.user'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(SECRET));

describe.skipIf(!redisAvailable())('access across instances (real redis-server on 127.0.0.1)', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const connect = async () => {
    const client = new Redis({
      port: server.port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    client.on('error', () => {});
    clients.push(client);
    if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
    return client;
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('refuses a token replayed against another instance', async () => {
    const shields = await Promise.all(
      [0, 1].map(async () =>
        createShield({
          env: false,
          logger: silent,
          rate: { minIntervalMs: 0 },
          access: { jwt: { secret: SECRET, replay: { store: createRedisNonceStore(await connect()) } } },
        }),
      ),
    );
    const jwt = await token();
    expect((await shields[0]!.protect(request(jwt))).action).toBe('allow');
    const replayed = await shields[1]!.protect(request(jwt));
    expect(replayed).toMatchObject({ status: 401, code: 'ERR_ACCESS_TOKEN_REPLAYED' });
    expect((await shields[1]!.protect(request(await token()))).action).toBe('allow');
  });

  it('delays a client on every instance after failed authentications spread over two instances', async () => {
    const shields = await Promise.all(
      [0, 1].map(async () =>
        createShield({
          env: false,
          logger: silent,
          access: { jwt: { secret: SECRET } },
          rate: {
            store: createRedisStore(await connect()),
            keyPrefix: 'lockout1',
            minIntervalMs: 0,
            storeTimeoutMs: 1000,
            failedAttempts: { max: 4, delaySec: 60 },
          },
        }),
      ),
    );
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++)
      codes.push((await shields[i % 2]!.protect(request(`forged.token.${i}`))).code);
    expect(codes).toEqual(Array(4).fill('ERR_ACCESS_TOKEN_INVALID'));
    for (const shield of shields) {
      const decision = await shield.protect(request('forged.token.again'));
      expect(decision).toMatchObject({ status: 429, code: 'ERR_RATE_LOCKED_OUT' });
      expect(decision.failures).toEqual([]);
      // A valid credential is not held back by its address.
      expect((await shield.protect(request(await token()))).action).toBe('allow');
    }
    expect((await shields[1]!.protect(request('forged.token.5', '198.51.100.2'))).status).toBe(401);
    // The instance that counted the fourth failure records the lockout incident.
    await shields[1]!.flush();
    expect((await shields[1]!.getIncidentSummary()).byType.lockout).toBe(1);
  });

  it('claims ids in memory when the replay store is down (insurance), or fails closed when told to', async () => {
    const client = await connect();
    const shield = createShield({
      env: false,
      logger: silent,
      rate: { minIntervalMs: 0 },
      access: { jwt: { secret: SECRET, replay: { store: createRedisNonceStore(client), timeoutMs: 500 } } },
    });
    client.disconnect();
    const jwt = await token();
    const first = await shield.protect(request(jwt));
    expect(first.action).toBe('allow');
    expect(first.failures).toContainEqual(
      expect.objectContaining({ stage: 'access', policy: 'insurance', error: 'ERR_STORE_UNAVAILABLE' }),
    );
    // The in-memory insurance still refuses a replay against this instance.
    expect(await shield.protect(request(jwt))).toMatchObject({
      status: 401,
      code: 'ERR_ACCESS_TOKEN_REPLAYED',
    });

    const strict = createShield({
      env: false,
      logger: silent,
      rate: { minIntervalMs: 0, onStoreError: 'closed' },
      access: { jwt: { secret: SECRET, replay: { store: createRedisNonceStore(client), timeoutMs: 500 } } },
    });
    const decision = await strict.protect(request(await token()));
    expect(decision).toMatchObject({ status: 503, code: 'ERR_STAGE_FAILED' });
    expect(decision.failures[0]).toMatchObject({ stage: 'access', policy: 'closed' });
  });
});

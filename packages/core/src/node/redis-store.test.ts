import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../test/redis-server.js';
import { createShield } from '../shield.js';
import type { ShieldRequest } from '../types.js';
import { createRedisStore } from './redis-store.js';

const request = (ip: string): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json' },
  socketIp: ip,
  bodyText: JSON.stringify({ messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
});

const rate = (store: ReturnType<typeof createRedisStore>, extra: Record<string, unknown> = {}) => ({
  store,
  perIp: { points: 5, durationSec: 60 },
  minIntervalMs: 0,
  storeTimeoutMs: 200,
  ...extra,
});

describe.skipIf(!redisAvailable())('Redis store (real redis-server on 127.0.0.1)', () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis({
      port: server.port,
      host: '127.0.0.1',
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    client.on('error', () => {}); // reconnect noise after the server is killed
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('two shield instances share one budget', async () => {
    const a = createShield({ env: false, rate: rate(createRedisStore(connect()), { keyPrefix: 'shared1' }) });
    const b = createShield({ env: false, rate: rate(createRedisStore(connect()), { keyPrefix: 'shared1' }) });
    await Promise.all(
      clients.map((client) =>
        client.status === 'ready' ? undefined : new Promise((r) => client.once('ready', r)),
      ),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const decision = await (i % 2 === 0 ? a : b).protect(request('203.0.113.7'));
      statuses.push(decision.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Another client is unaffected.
    expect((await a.protect(request('203.0.113.8'))).status).toBe(200);
  });

  it('keeps limiting with in-memory insurance when Redis goes away, and never hangs', async () => {
    const client = connect();
    await new Promise((resolve) =>
      client.status === 'ready' ? resolve(undefined) : client.once('ready', resolve),
    );
    const shield = createShield({
      env: false,
      rate: rate(createRedisStore(client), { keyPrefix: 'outage' }),
    });
    expect((await shield.protect(request('198.51.100.1'))).status).toBe(200);

    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));

    const during = [];
    for (let i = 0; i < 7; i++) during.push(await shield.protect(request('198.51.100.1')));
    expect(during[0]!.failures).toContainEqual(
      expect.objectContaining({ stage: 'rate', policy: 'insurance' }),
    );
    // The behaviour tracker shares the store: repeats are counted in memory meanwhile.
    expect(during[0]!.failures).toContainEqual(
      expect.objectContaining({ stage: 'detection', policy: 'insurance' }),
    );
    // The insurance limiter enforces the same budget on its own counters.
    expect(during.map((d) => d.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);

    const closed = createShield({
      env: false,
      rate: rate(createRedisStore(client), { keyPrefix: 'outage2', onStoreError: 'closed' }),
    });
    const refused = await closed.protect(request('198.51.100.2'));
    expect(refused.status).toBe(503);
    expect(refused.code).toBe('ERR_STORE_UNAVAILABLE');

    const open = createShield({
      env: false,
      rate: rate(createRedisStore(client), { keyPrefix: 'outage3', onStoreError: 'open' }),
    });
    const passed = await open.protect(request('198.51.100.3'));
    expect(passed.status).toBe(200);
    expect(passed.failures).toContainEqual(expect.objectContaining({ stage: 'rate', policy: 'open' }));

    server = await startRedis(server.port); // restart for afterAll symmetry
  });
});

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../test/redis-server.js';
import type { ShieldOptions, ShieldRequest } from '../index.js';
import { createShield } from '../shield.js';
import { createRedisBudgetStore } from './redis-budget-store.js';

const chat = (ip: string, maxTokens: number): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json' },
  socketIp: ip,
  bodyText: JSON.stringify({
    messages: [{ role: 'user', content: 'Summarise the plot of Hamlet.' }],
    max_tokens: maxTokens,
  }),
});

describe.skipIf(!redisAvailable())('Redis budget store (real redis-server on 127.0.0.1)', () => {
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
  const instance = async (extra: ShieldOptions) => {
    const store = createRedisBudgetStore(await connect());
    const { budget, concurrency, ...rest } = extra as { budget?: object; concurrency?: object };
    return createShield({
      env: false,
      rate: { perIp: false, minIntervalMs: 0 },
      detection: { enabled: false },
      audit: { enabled: false },
      ...rest,
      ...(budget ? { budget: { tokenizer: 'estimate', store, ...budget } } : {}),
      ...(concurrency ? { concurrency: { store, ...concurrency } } : {}),
    } as ShieldOptions);
  };

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });

  it('two instances sharing one budget never overspend under concurrent requests', async () => {
    const limit = 20_000;
    const budget = { perClient: { tokens: limit, durationSec: 60 }, keyPrefix: 'race:tok' };
    const a = await instance({ budget });
    const b = await instance({ budget });
    // 200 requests at once, half through each instance, each reserving about 1,000 tokens.
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b).protect(chat('203.0.113.50', 990 + (i % 7))),
      ),
    );
    const allowed = decisions.filter((decision) => decision.action === 'allow');
    const reserved = allowed.reduce(
      (sum, decision) => sum + decision.budget!.input + decision.budget!.reservedOutput,
      0,
    );
    const biggest = Math.max(...allowed.map((d) => d.budget!.input + d.budget!.reservedOutput));
    expect(allowed.length).toBeGreaterThan(15);
    expect(reserved).toBeLessThanOrEqual(limit);
    // What is left is less than one more reservation: the instances did not refuse early either.
    expect(limit - reserved).toBeLessThan(biggest);
    const counted = Number(await clients[0]!.get('race:tok:g:c60:203.0.113.50'));
    expect(counted).toBe(reserved);
    expect(decisions.filter((d) => d.code === 'ERR_RATE_TOKEN_BUDGET').length).toBe(200 - allowed.length);
  });

  it('settles through Redis: refunds reach the other instance', async () => {
    const budget = { perClient: { tokens: 2_000 }, keyPrefix: 'settle:tok' };
    const a = await instance({ budget });
    const b = await instance({ budget });
    const first = await a.protect(chat('203.0.113.60', 1_500));
    expect(first.action).toBe('allow');
    expect((await b.protect(chat('203.0.113.60', 1_500))).code).toBe('ERR_RATE_TOKEN_BUDGET');
    a.checkResponse({ status: 200, body: { usage: { prompt_tokens: 10, completion_tokens: 20 } } }, first);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await b.protect(chat('203.0.113.60', 1_500))).action).toBe('allow');
  });

  it('in-flight caps are shared, released by finish, and expire when an instance dies', async () => {
    const concurrency = { perClient: 3, leaseTtlSec: 1, keyPrefix: 'race:inflight' };
    const a = await instance({ concurrency });
    const b = await instance({ concurrency });
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).protect(chat('203.0.113.70', 10))),
    );
    expect(decisions.filter((d) => d.action === 'allow').length).toBe(3);
    expect(decisions.filter((d) => d.code === 'ERR_RATE_CONCURRENCY').length).toBe(7);
    const held = decisions.filter((d) => d.action === 'allow');
    await a.finish(held[0]);
    expect((await b.protect(chat('203.0.113.70', 10))).action).toBe('allow');
    expect((await b.protect(chat('203.0.113.70', 10))).action).toBe('block');
    // Nobody releases the rest (the instance "died"): after leaseTtlSec the slots come back.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await b.protect(chat('203.0.113.70', 10))).action).toBe('allow');
  });

  it('falls back to in-memory insurance when Redis is down, and never hangs', async () => {
    const client = await connect();
    const store = createRedisBudgetStore(client);
    const shield = createShield({
      env: false,
      rate: { perIp: false, minIntervalMs: 0, storeTimeoutMs: 200 },
      detection: { enabled: false },
      audit: { enabled: false },
      budget: { perClient: { tokens: 3_000 }, tokenizer: 'estimate', store, keyPrefix: 'down:tok' },
      concurrency: { perClient: 5, store, keyPrefix: 'down:inflight' },
    });
    server.pause();
    try {
      const started = Date.now();
      const first = await shield.protect(chat('203.0.113.80', 1_000));
      expect(first.action).toBe('allow');
      expect(first.failures).toContainEqual(expect.objectContaining({ stage: 'rate', policy: 'insurance' }));
      expect(first.budget?.insurance).toBe(true);
      await shield.protect(chat('203.0.113.80', 1_000));
      // The insurance counters keep the same limit.
      expect((await shield.protect(chat('203.0.113.80', 1_000))).code).toBe('ERR_RATE_TOKEN_BUDGET');
      expect(Date.now() - started).toBeLessThan(2_000);
      await shield.finish(first);
    } finally {
      server.resume();
    }
  });
});

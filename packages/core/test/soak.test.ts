/**
 * The small, in-suite version of the soak (bench/src/soak.mjs runs 1,000,000 clients with a heap
 * ceiling): a flood of distinct clients leaves the per-client state at its caps, with no timer per client.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/rate/memory.js';
import { createShield } from '../src/shield.js';
import { countTimers } from './timers.js';

describe('a flood of distinct clients', () => {
  it('20,000 clients (IPv4 and IPv6): counters held at their caps, no timer per client', async () => {
    const store = createMemoryStore({ maxKeys: 2000 });
    const shield = createShield({
      env: false,
      logger: { warn: () => {}, error: () => {} },
      rate: { store },
      detection: { behavior: { maxClients: 500 } },
    });
    const timers = countTimers();
    try {
      for (let n = 0; n < 20_000; n++) {
        const decision = await shield.protect({
          method: 'POST',
          path: '/v1/chat',
          headers: { 'content-type': 'application/json' },
          socketIp:
            n % 2 ? `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` : `2001:db8:${n.toString(16)}::1`,
          bodyText: JSON.stringify({ messages: [{ role: 'user', content: `Name a river (${n})` }] }),
        });
        expect(decision.status).toBe(200);
      }
      expect(timers.live()).toBe(0);
    } finally {
      timers.stop();
    }
    const stats = store.stats();
    expect(stats['ais:g:ip']).toMatchObject({ size: 2000, capacity: 2000 });
    expect(stats['ais:g:ip']!.evicted).toBeGreaterThan(15_000);
    for (const table of Object.values(stats)) expect(table.size).toBeLessThanOrEqual(2000);
  });

  it('a long X-Forwarded-For is not kept alive by the counters (the key is rebuilt, not sliced)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const shield = createShield({
      env: false,
      trustProxy: true,
      logger: { warn: () => {}, error: () => {} },
      detection: { enabled: false },
      // The memory audit sink keeps up to 10,000 lines (~600 bytes each): bounded, and not the counters'.
      audit: { enabled: false },
    });
    const filler = `, ${'f'.repeat(2000)}`;
    const send = (n: number) =>
      shield.protect({
        method: 'POST',
        path: '/v1/chat',
        // A valid left-most address (15 characters: long enough for V8 to slice) and 2 KB after it.
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `100.${100 + ((n >> 16) & 127)}.${100 + ((n >> 8) & 127)}.${100 + (n & 127)}${filler}${n}`,
        },
        socketIp: '10.0.0.1',
        bodyText: '{"messages":[{"role":"user","content":"hi"}]}',
      });
    for (let n = 0; n < 200; n++) await send(n);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 200; n < 5200; n++) await send(n);
    gc();
    const perClient = (process.memoryUsage().heapUsed - before) / 5000;
    // Retaining the header would cost over 2 KB per client.
    expect(perClient).toBeLessThan(1000);
  });
});

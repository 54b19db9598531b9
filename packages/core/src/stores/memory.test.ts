import { describe, expect, it } from 'vitest';
import type { Alert, Alerter } from '../alerts/types.js';
import { createMemoryAlertWindowStore } from '../alerts/window-store.js';
import { emptyMoments, mergeMoments } from '../detection/baseline-store.js';
import { pushRunning } from '../detection/numeric-stats.js';
import { createShield } from '../shield.js';
import type { ShieldRequest } from '../types.js';
import { createMemoryStores } from './memory.js';

const chat = (ip: string, content: string): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json' },
  socketIp: ip,
  bodyText: JSON.stringify({ messages: [{ role: 'user', content }] }),
});

function collector(): Alerter & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return {
    name: 'collector',
    alerts,
    async send(alert) {
      alerts.push(alert);
    },
  };
}

describe('shields sharing one set of stores (createMemoryStores)', () => {
  it('share budgets, see one repeating client, keep one incident list and send one alert', async () => {
    const stores = createMemoryStores();
    const channels = [collector(), collector()];
    const [a, b] = channels.map((channel) =>
      createShield({
        env: false,
        stores,
        logger: { warn: () => {}, error: () => {} },
        rate: { perIp: { points: 4, durationSec: 60 }, minIntervalMs: 0 },
        detection: { behavior: { repeatThreshold: 4 } },
        alerts: {
          channels: [channel],
          rules: [{ name: 'abuse', types: ['rate_limit'], threshold: 3, windowSec: 60, groupBy: 'clientIp' }],
        },
      }),
    );
    const shields = [a!, b!];
    // Budget of 4 across both; the 4th identical prompt is a repeat on whichever shield gets it.
    const decisions = [];
    for (let i = 0; i < 8; i++)
      decisions.push(await shields[i % 2]!.protect(chat('192.0.2.9', 'same prompt')));
    expect(decisions.map((d) => d.status)).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    expect(decisions[3]!.findings.map((f) => f.kind)).toContain('behavior.repeated_input');
    expect(decisions[2]!.findings.map((f) => f.kind)).not.toContain('behavior.repeated_input');
    const [sa, sb] = await Promise.all(shields.map((s) => s.getIncidentSummary()));
    expect(sa!.byType.rate_limit).toBe(4);
    expect(sb!.byType.rate_limit).toBe(4);
    await Promise.all(shields.map((s) => s.close()));
    const sent = channels.flatMap((c) => c.alerts);
    expect(sent.filter((x) => x.phase === 'threshold')).toHaveLength(1);
    // Closing sends the aggregate with the count of both shields, once.
    expect(sent.filter((x) => x.phase === 'aggregate').map((x) => x.count)).toEqual([4]);
  });
});

describe('alert windows', () => {
  it('fire exactly once per window, start over after it, and close with the final count', async () => {
    const store = createMemoryAlertWindowStore();
    const hit = (at: number) =>
      store.hit({
        id: 'r|k',
        at,
        windowSec: 10,
        threshold: 2,
        sample: { type: 'rate_limit', severity: 'low' },
      });
    expect((await hit(0)).fire).toBe(false);
    expect(await hit(1)).toMatchObject({ fire: true, count: 2, start: 0 });
    expect((await hit(2)).fire).toBe(false);
    expect(await store.close('r|k', 0)).toMatchObject({ count: 3, firedAt: 2, last: 2 });
    expect(await hit(10_000)).toMatchObject({ fire: false, count: 1, start: 10_000 });
    expect(await store.close('r|k', 0)).toBeUndefined();
  });
});

describe('mergeMoments', () => {
  it('equals one pass over all samples, whatever the split', () => {
    const values = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 10 + (i % 7));
    const whole = emptyMoments();
    for (const v of values) pushRunning(whole, v);
    const parts = [values.slice(0, 13), values.slice(13, 120), values.slice(120)].map((part) => {
      const m = emptyMoments();
      for (const v of part) pushRunning(m, v);
      return m;
    });
    const merged = parts.reduce((acc, m) => mergeMoments(acc, m), emptyMoments());
    expect(merged.n).toBe(200);
    expect(merged.mean).toBeCloseTo(whole.mean, 10);
    expect(merged.m2).toBeCloseTo(whole.m2, 8);
    // Capped: the variance is kept, the count held at the cap.
    const capped = mergeMoments(parts[0]!, parts[1]!, 50);
    const uncapped = mergeMoments(parts[0]!, parts[1]!);
    expect(capped.n).toBe(50);
    expect(capped.m2 / (capped.n - 1)).toBeCloseTo(uncapped.m2 / (uncapped.n - 1), 10);
  });
});

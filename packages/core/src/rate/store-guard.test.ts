import { describe, expect, it } from 'vitest';
import { createStoreGuard } from './store-guard.js';

const never = () => new Promise<never>(() => {});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createStoreGuard', () => {
  it('passes answers through, and bounds a call that never answers', async () => {
    const guard = createStoreGuard('test');
    expect(await guard.call(async () => 42, never, 50)).toBe(42);
    await expect(guard.call(never, never, 20)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
      message: 'test store did not answer within 20 ms',
    });
    expect(guard.down).toBe(true);
  });

  it('while down, refuses at once and probes in the background at most once per retryMs', async () => {
    let t = 0;
    const guard = createStoreGuard('test', { retryMs: 1000, now: () => t });
    await expect(guard.call(() => Promise.reject(new Error('ECONNRESET')), never, 50)).rejects.toMatchObject({
      message: 'test store: ECONNRESET',
    });
    let ops = 0;
    let probes = 0;
    const op = async () => ++ops;
    const probe = async () => ++probes;
    await expect(guard.call(op, probe, 50)).rejects.toThrow(/down since .* \(ECONNRESET\)/);
    expect([ops, probes]).toEqual([0, 0]); // retryMs not yet elapsed

    t = 1000;
    await expect(guard.call(op, probe, 50)).rejects.toThrow(/down since/);
    await expect(guard.call(op, probe, 50)).rejects.toThrow(/down since/);
    expect(probes).toBe(1); // one probe in flight at a time; the requests did not wait for it
    await settle();
    expect(guard.down).toBe(false);
    expect(await guard.call(op, probe, 50)).toBe(1);
  });

  it('stays down while probes fail', async () => {
    let t = 0;
    const guard = createStoreGuard('test', { retryMs: 10, now: () => t });
    await expect(guard.call(never, never, 5)).rejects.toThrow();
    t = 10;
    await expect(guard.call(async () => 1, never, 5)).rejects.toThrow(/down since/);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the probe times out
    expect(guard.down).toBe(true);
    t = 30;
    await expect(
      guard.call(
        async () => 1,
        async () => 'PONG',
        5,
      ),
    ).rejects.toThrow(/down since/);
    await settle();
    expect(guard.down).toBe(false);
  });
});

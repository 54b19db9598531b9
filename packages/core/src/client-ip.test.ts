import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClientIpResolver, MAX_FORWARDED_CHARS } from './client-ip.js';
import { createShield } from './shield.js';
import type { ShieldRequest } from './types.js';

const xff = (value: string) => ({ 'x-forwarded-for': value });

describe('createClientIpResolver', () => {
  it('ignores X-Forwarded-For unless a proxy is trusted', () => {
    expect(createClientIpResolver(false)('203.0.113.9', xff('198.51.100.1'))).toEqual({
      ip: '203.0.113.9',
      key: '203.0.113.9',
    });
    expect(createClientIpResolver(true)('127.0.0.1', xff(' 198.51.100.1 , 10.0.0.1'))).toEqual({
      ip: '198.51.100.1',
      key: '198.51.100.1',
    });
    expect(createClientIpResolver(['loopback'])('127.0.0.1', xff('198.51.100.1, 127.0.0.1')).ip).toBe(
      '198.51.100.1',
    );
    expect(createClientIpResolver(1)('10.0.0.2', xff('198.51.100.7, 192.0.2.4')).ip).toBe('192.0.2.4');
  });

  it('accepts ports, brackets and IPv4-mapped forms, and normalizes IPv6', () => {
    const resolve = createClientIpResolver(true, { ipv6Subnet: 128 });
    expect(resolve('127.0.0.1', xff('198.51.100.1:5678')).ip).toBe('198.51.100.1');
    expect(resolve('127.0.0.1', xff('[2001:DB8::1]:443')).ip).toBe('2001:db8::1');
    expect(resolve('127.0.0.1', xff('::ffff:198.51.100.2')).ip).toBe('198.51.100.2');
    expect(createClientIpResolver(false)('::ffff:127.0.0.1', {}).ip).toBe('127.0.0.1');
    expect(resolve('127.0.0.1', xff('2001:0db8:0000:0000:0000:0000:0000:0001')).key).toBe('2001:db8::1');
  });

  it('falls back to the socket address, with a finding, for a header that is not an address or too long', () => {
    const resolve = createClientIpResolver(true);
    for (const bad of ['garbage', '999.1.1.1', '01.2.3.4', '1.2.3', '<script>', 'x'.repeat(60), 'unknown']) {
      const client = resolve('192.0.2.1', xff(bad));
      expect(client).toMatchObject({ ip: '192.0.2.1', key: '192.0.2.1' });
      expect(client.finding).toMatchObject({ kind: 'client_ip.forwarded_invalid', severity: 'low' });
    }
    const huge = resolve('192.0.2.1', xff(`198.51.100.1,${' '.repeat(MAX_FORWARDED_CHARS)}`));
    expect(huge).toMatchObject({ ip: '192.0.2.1', finding: { message: /longer than 2048/ } });
    expect(huge.finding!.message).not.toContain('198.51.100.1');
    // A trusted proxy list that reaches an invalid hop: the same fallback.
    expect(createClientIpResolver(['loopback'])('127.0.0.1', xff('nonsense')).finding).toBeDefined();
    expect(resolve('192.0.2.1', xff('')).finding).toBeUndefined();
  });

  it('groups IPv6 clients by prefix, /64 by default', () => {
    const resolve = createClientIpResolver(false);
    expect(resolve('2001:db8:1:2:aaaa:bbbb:cccc:dddd', {})).toEqual({
      ip: '2001:db8:1:2:aaaa:bbbb:cccc:dddd',
      key: '2001:db8:1:2::/64',
    });
    expect(resolve('fe80::1%eth0', {}).key).toBe('fe80::/64');
    expect(createClientIpResolver(false, { ipv6Subnet: 56 })('2001:db8:1:2ff::1', {}).key).toBe(
      '2001:db8:1:200::/56',
    );
    expect(resolve('198.51.100.1', {}).key).toBe('198.51.100.1');
  });

  it('accepts exactly what node:net calls an IP address (IPv4 in dotted-quad form)', () => {
    const resolve = createClientIpResolver(true, { ipv6Subnet: 128 });
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{1,4}$/));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(octet, octet, octet, octet).map((p) => p.join('.')),
          fc.ipV6(),
          fc.string(),
        ),
        (text) => {
          const client = resolve('192.0.2.1', xff(text));
          const valid = isIP(text.trim()) !== 0 && !text.includes(',');
          expect(client.finding === undefined).toBe(valid || text.trim() === '');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('per-client counters in the pipeline', () => {
  const request = (socketIp: string, headers: Record<string, string> = {}): ShieldRequest => ({
    method: 'POST',
    path: '/v1/chat',
    headers: { 'content-type': 'application/json', ...headers },
    socketIp,
    bodyText: '{"messages":[{"role":"user","content":"What is the capital of France?"}]}',
  });

  it('110 addresses from one IPv6 /64 share one budget; another /64 has its own', async () => {
    const shield = createShield({ env: false, rate: { perIp: { points: 100 }, minIntervalMs: 0 } });
    const statuses: number[] = [];
    for (let i = 1; i <= 110; i++) {
      statuses.push((await shield.protect(request(`2001:db8:aa:bb::${i.toString(16)}`))).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const other = await shield.protect(request('2001:db8:aa:cc::1'));
    expect(other.status).toBe(200);
    // The decision and the audit keep the full address.
    expect(other.clientIp).toBe('2001:db8:aa:cc::1');
  });

  it('an 8 KB X-Forwarded-For behind a trusted proxy is a finding, and the proxy address is the key', async () => {
    const shield = createShield({ env: false, trustProxy: true, rate: { minIntervalMs: 0 } });
    const decision = await shield.protect(request('10.0.0.1', { 'x-forwarded-for': 'A'.repeat(8192) }));
    expect(decision.status).toBe(200);
    expect(decision.clientIp).toBe('10.0.0.1');
    expect(decision.findings).toContainEqual(
      expect.objectContaining({ kind: 'client_ip.forwarded_invalid' }),
    );
  });
});

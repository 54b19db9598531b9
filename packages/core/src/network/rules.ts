/**
 * Network rules (issue 19): CIDR allow and deny lists, IPv4 and IPv6, per route, matched with ipaddr.js
 * against the client address resolved through `trustProxy` (never a raw `X-Forwarded-For`). Lists are
 * parsed once, when the policy is compiled; a malformed entry is a configuration error.
 * @module
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { Block, RequestContext } from '../stage.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address (a /32 or /128); throws on anything else. */
export function parseRange(entry: string): Range {
  const text = entry.trim();
  if (text.includes('/')) {
    const [address, bits] = ipaddr.parseCIDR(text);
    return [
      normalize(address),
      address.kind() === 'ipv6' && normalize(address).kind() === 'ipv4' ? bits - 96 : bits,
    ];
  }
  const address = normalize(ipaddr.parse(text));
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the IPv4 address, as the client resolver reports it. */
function normalize(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

const cidr = z.string().refine(
  (value) => {
    try {
      parseRange(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IPv4 or IPv6 address or CIDR range, e.g. 10.0.0.0/8 or 2001:db8::/32' },
);

export const networkOptionsSchema = z.strictObject({
  /** Only these addresses and ranges may call (empty: everyone not denied). */
  allow: z.array(cidr).default([]),
  /** These addresses and ranges are refused with 403, whatever `allow` says. */
  deny: z.array(cidr).default([]),
});

export type NetworkOptions = z.output<typeof networkOptionsSchema>;

/** A compiled rule set; `undefined` when both lists are empty (nothing to check). */
export type NetworkCheck = (ctx: RequestContext) => Block | undefined;

function matcher(entries: string[]): (address: ipaddr.IPv4 | ipaddr.IPv6) => boolean {
  const v4: Range[] = [];
  const v6: Range[] = [];
  for (const entry of entries) {
    const range = parseRange(entry);
    (range[0].kind() === 'ipv4' ? v4 : v6).push(range);
  }
  return (address) => {
    const list = address.kind() === 'ipv4' ? v4 : v6;
    for (const range of list) if (address.match(range as never)) return true;
    return false;
  };
}

/** Compiles the lists once; the returned check runs per request. */
export function createNetworkCheck(options: NetworkOptions): NetworkCheck | undefined {
  if (options.allow.length === 0 && options.deny.length === 0) return undefined;
  const denied = matcher(options.deny);
  const allowed = options.allow.length > 0 ? matcher(options.allow) : undefined;
  const refuse = (ctx: RequestContext, why: string): Block => {
    const reason = 'Requests from this address are not allowed';
    ctx.findings.push({
      kind: 'network.denied',
      severity: 'medium',
      source: 'access',
      message: `Client address ${why}`,
    });
    return { status: 403, code: 'ERR_ACCESS_NETWORK_DENIED', reason };
  };
  return (ctx) => {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = normalize(ipaddr.parse(ctx.clientIp));
    } catch {
      // No usable address (a Unix socket): only an allow list can say no.
      return allowed ? refuse(ctx, 'is unknown and an allow list is set') : undefined;
    }
    if (denied(address)) return refuse(ctx, 'is in a denied range');
    if (allowed && !allowed(address)) return refuse(ctx, 'is not in an allowed range');
    return undefined;
  };
}

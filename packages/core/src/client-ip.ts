/**
 * Client IP resolution through an explicit `trustProxy` setting, with Express's own proxy-addr. With the
 * default (`false`) `X-Forwarded-For` is ignored: anyone can send that header.
 *
 * Two things every per-client counter relies on (issue 13):
 * - The address is checked to be one. A header longer than {@link MAX_FORWARDED_CHARS}, or an entry that
 *   is not an IPv4 or IPv6 address, is not used: the socket address is, and the request carries a
 *   `client_ip.forwarded_invalid` finding. (An 8 KB header used to become a counter key of its own.)
 * - IPv6 clients are counted per prefix (`ipv6Subnet`, /64 by default): one subscriber usually holds a
 *   whole /64, so counting per address would give each of its 2^64 addresses a fresh budget.
 * @module
 */
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import type { Finding, ShieldHeaders } from './types.js';

export type TrustProxy = boolean | number | string[];

/** Longest `X-Forwarded-For` considered: about 40 hops of the longest IPv6 form. */
export const MAX_FORWARDED_CHARS = 2048;
/** Longest text that can be an address (IPv6 with an embedded IPv4 and a zone id, or a port). */
const MAX_ADDRESS_CHARS = 64;

/** The client as the per-client counters see it. */
export interface ClientAddress {
  /** The address, normalized (IPv4-mapped IPv6 as IPv4, IPv6 in RFC 5952 form); `unknown` without one. */
  ip: string;
  /** The counter key: the address, or for IPv6 its prefix (`2001:db8:1:2::/64`). */
  key: string;
  /** Set when `X-Forwarded-For` was present but unusable, so that the socket address was used. */
  finding?: Finding;
}

export interface ClientIpOptions {
  /** Prefix length IPv6 clients are grouped by; 128 counts each address. Default 64. */
  ipv6Subnet?: number;
}

type Resolver = (socketIp: string | undefined, headers: ShieldHeaders) => ClientAddress;

/** Strict dotted-quad IPv4 (no octal, hex or short forms) as a 32-bit value, or -1; no regular expression. */
function readIPv4(text: string): number {
  let parts = 0;
  let value = -1;
  let digits = 0;
  let address = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return -1;
      address = address * 256 + value;
      value = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return -1; // leading zero
      value = digits === 0 ? c - 48 : value * 10 + c - 48;
      if (++digits > 3) return -1;
    } else return -1;
  }
  return parts === 4 ? address : -1;
}

/**
 * Parses one address as it appears in a header or from the socket: IPv4, IPv6 (optionally in brackets,
 * with a zone id), or either with a port (`1.2.3.4:80`, `[::1]:80`). Returns undefined for anything else.
 */
function parseAddress(
  raw: string,
  subnet: number,
  fromSocket = false,
): { ip: string; key: string } | undefined {
  let text = raw.trim();
  if (text.length === 0 || text.length > MAX_ADDRESS_CHARS) return undefined;
  if (text.charCodeAt(0) === 91 /* [ */) {
    const end = text.indexOf(']');
    if (end < 0) return undefined;
    text = text.slice(1, end);
  }
  const colon = text.indexOf(':');
  if (colon < 0 || (text.indexOf(':', colon + 1) < 0 && text.includes('.'))) {
    const host = colon < 0 ? text : text.slice(0, colon);
    const v4 = readIPv4(host);
    if (v4 < 0) return undefined;
    if (fromSocket && host === raw) return { ip: raw, key: raw };
    // Rebuilt, not sliced: a slice of a header (V8 keeps the whole header alive behind a substring of 13+
    // characters) would cost the header's size per counter.
    const ip = `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
    return { ip, key: ip };
  }
  let v6: ipaddr.IPv6;
  try {
    v6 = ipaddr.IPv6.parse(text);
  } catch {
    return undefined;
  }
  if (v6.isIPv4MappedAddress()) {
    const v4 = v6.toIPv4Address().toString();
    return { ip: v4, key: v4 };
  }
  v6.zoneId = undefined;
  const ip = v6.toString();
  if (subnet >= 128) return { ip, key: ip };
  const parts = v6.parts.map((part, i) => {
    const bits = Math.min(16, Math.max(0, subnet - i * 16));
    return bits === 16 ? part : bits === 0 ? 0 : part & ((0xffff << (16 - bits)) & 0xffff);
  });
  return { ip, key: `${new ipaddr.IPv6(parts).toString()}/${subnet}` };
}

const UNKNOWN: ClientAddress = Object.freeze({ ip: 'unknown', key: 'unknown' });

function invalidForwarded(socket: ClientAddress, why: string): ClientAddress {
  return {
    ...socket,
    finding: {
      kind: 'client_ip.forwarded_invalid',
      severity: 'low',
      source: 'validation',
      message: `X-Forwarded-For ${why}; the socket address was used`,
    },
  };
}

/** Distinct addresses whose trust verdict is remembered; past this the memory starts over. */
const MAX_VERDICTS = 1024;

/**
 * Remembers proxy-addr's verdict per address: the addresses it asks about are the few proxies in front
 * of the app (the socket peer, then each hop), and each answer otherwise parses the address again
 * (issue 15: a few percent of a request under fleet traffic). Bounded; a verdict depends on the address
 * only, never on the hop.
 */
function cachedVerdicts(compiled: (addr: string, hop: number) => boolean) {
  const verdicts = new Map<string, boolean>();
  return (addr: string, hop: number): boolean => {
    let verdict = verdicts.get(addr);
    if (verdict === undefined) {
      verdict = compiled(addr, hop);
      if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
      verdicts.set(addr, verdict);
    }
    return verdict;
  };
}

/** Compiles the trust setting once; the returned function runs per request. */
export function createClientIpResolver(trust: TrustProxy, options: ClientIpOptions = {}): Resolver {
  const subnet = options.ipv6Subnet ?? 64;
  // Socket addresses come from the OS; unparseable ones (a Unix socket) still count as one client.
  const fromSocket = (socketIp: string | undefined): ClientAddress =>
    socketIp ? (parseAddress(socketIp, subnet, true) ?? { ip: socketIp, key: socketIp }) : UNKNOWN;
  if (trust === false) return (socketIp) => fromSocket(socketIp);

  const pick: (socketIp: string | undefined, forwarded: string) => string | undefined =
    trust === true
      ? (_socketIp, forwarded) => {
          const comma = forwarded.indexOf(',');
          return comma === -1 ? forwarded : forwarded.slice(0, comma);
        }
      : (() => {
          const isTrusted =
            typeof trust === 'number'
              ? (_addr: string, hop: number) => hop < trust
              : cachedVerdicts(proxyaddr.compile(trust));
          return (socketIp, forwarded) =>
            proxyaddr(
              {
                socket: { remoteAddress: socketIp },
                headers: { 'x-forwarded-for': forwarded },
              } as unknown as Parameters<typeof proxyaddr>[0],
              isTrusted,
            );
        })();

  return (socketIp, headers) => {
    const forwarded = headers['x-forwarded-for'];
    if (forwarded === undefined || forwarded.trim() === '') return fromSocket(socketIp);
    if (forwarded.length > MAX_FORWARDED_CHARS) {
      return invalidForwarded(fromSocket(socketIp), `is longer than ${MAX_FORWARDED_CHARS} characters`);
    }
    const chosen = pick(socketIp, forwarded);
    if (chosen === undefined || chosen === socketIp) return fromSocket(socketIp);
    const parsed = parseAddress(chosen, subnet);
    return parsed ?? invalidForwarded(fromSocket(socketIp), 'names something that is not an IP address');
  };
}

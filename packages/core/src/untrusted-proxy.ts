/**
 * The once-only warning for a proxy the shield does not believe (see `untrustedProxyWarning`).
 * @module
 */
import proxyaddr from 'proxy-addr';
import type { ResolvedOptions, ShieldLogger } from './config/schema.js';
import type { ShieldRequest } from './types.js';

/**
 * With `trustProxy: false`, requests from a private address that carry `X-Forwarded-For` come through a
 * proxy the shield does not believe: every client behind it shares its address, so one client's
 * failures delay (and its budget limits) all of them. Said once, at the first such request; the
 * returned hook is `undefined` when there is nothing to watch.
 */
export function untrustedProxyWarning(
  options: ResolvedOptions,
  logger: ShieldLogger,
): ((req: ShieldRequest) => void) | undefined {
  if (options.trustProxy !== false) return undefined;
  let warned = false;
  let isPrivate: ((address: string, hop: number) => boolean) | undefined;
  return (req) => {
    if (warned || req.headers['x-forwarded-for'] === undefined || !req.socketIp) return;
    isPrivate ??= proxyaddr.compile(['loopback', 'linklocal', 'uniquelocal']);
    if (!isPrivate(req.socketIp, 0)) return;
    warned = true;
    logger.warn(
      `requests from ${req.socketIp} carry X-Forwarded-For but trustProxy is false: every client behind that proxy shares its address for rate limits and failed-attempt delays. Set trustProxy to the proxy's addresses (e.g. ['loopback', '10.0.0.0/8']) or hop count (AI_SHIELD_TRUST_PROXY).`,
    );
  };
}

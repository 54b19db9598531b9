/**
 * The Node half of every Node adapter (Express, Koa, NestJS on Express or Fastify): turns an
 * `IncomingMessage` into the core's `ShieldRequest`, reading the body within the byte cap only when no
 * framework parser produced one.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { ValidationOptions } from '../config/schema.js';
import type { ShieldHeaders, ShieldRequest } from '../types.js';
import { type BodyTimeouts, bodyTimeouts, DEFAULT_BODY_TIMEOUTS } from '../validation/read-body.js';
import { readNodeBody } from './read-body.js';

export interface NodeRequestOptions {
  /** Path without the query string, as the framework routes it. */
  path: string;
  /** Method, when the framework rewrote it (method override); default `message.method`. */
  method?: string;
  /** The body a framework parser already produced (`undefined` when none ran). */
  parsedBody?: unknown;
  /** `validation.maxBodyBytes` of the policy that applies. */
  maxBodyBytes: number;
  /** `validation.bodyTimeoutMs` / `minBodyBytesPerSec` (408 when broken). Default 30 s, 1024 B/s. */
  timeouts?: BodyTimeouts;
  /** Peer address, when the framework knows better than the socket (default `message.socket.remoteAddress`). */
  socketIp?: string;
}

/**
 * The body limits of a policy's validation options, as {@link toShieldRequestFromNode} takes them.
 * @example
 * toShieldRequestFromNode(req, { path, ...bodyLimits(policy.options.validation) });
 */
export function bodyLimits(
  validation: Pick<ValidationOptions, 'maxBodyBytes' | 'bodyTimeoutMs' | 'minBodyBytesPerSec'>,
): { maxBodyBytes: number; timeouts: BodyTimeouts } {
  return { maxBodyBytes: validation.maxBodyBytes, timeouts: bodyTimeouts(validation) };
}

/** Header values as one string each (repeated headers joined with ", ", as RFC 9110 §5.3 allows). */
export function nodeHeaders(message: IncomingMessage): ShieldHeaders {
  const headers: ShieldHeaders = {};
  for (const [name, value] of Object.entries(message.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function hasUnreadBody(message: IncomingMessage): boolean {
  if (message.readableEnded) return false;
  const length = message.headers['content-length'];
  return (length !== undefined && length !== '0') || message.headers['transfer-encoding'] !== undefined;
}

/**
 * Builds the core request. A parsed body is handed over as a value (the parser's limits applied, the
 * shield's checked on the value); otherwise the stream is read here, and a body declared larger than
 * `maxBodyBytes` is not read at all (the validation stage answers 413), and a body that does not arrive
 * within `timeouts` is abandoned (408). Rejects only when the stream
 * breaks (the client went away).
 * @example
 * const request = await toShieldRequestFromNode(req, { path: req.path, parsedBody: req.body, maxBodyBytes });
 */
export async function toShieldRequestFromNode(
  message: IncomingMessage,
  options: NodeRequestOptions,
): Promise<ShieldRequest> {
  const headers = nodeHeaders(message);
  const request: ShieldRequest = {
    method: options.method ?? message.method ?? 'GET',
    path: options.path,
    headers,
    socketIp: options.socketIp ?? message.socket?.remoteAddress,
  };
  if (options.parsedBody !== undefined) {
    request.body = options.parsedBody;
    return request;
  }
  const declared = Number(headers['content-length'] ?? Number.NaN);
  if (!hasUnreadBody(message) || declared > options.maxBodyBytes) {
    if (Number.isFinite(declared)) request.rawSize = declared;
    return request;
  }
  const { text, size, truncated, timedOut } = await readNodeBody(
    message,
    options.maxBodyBytes,
    options.timeouts ?? DEFAULT_BODY_TIMEOUTS,
  );
  request.bodyText = text;
  request.rawSize = size;
  if (truncated) request.bodyTruncated = true;
  if (timedOut) request.bodyTimedOut = timedOut;
  return request;
}

/**
 * Node requests for the core's Web handlers (the dashboard, `/metrics`): the adapters on Node (Express,
 * Koa, NestJS on Express or Fastify) hand them a `Request` built from the `IncomingMessage`. No body:
 * these handlers answer GET and HEAD only.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { nodeHeaders } from './node-request.js';

/**
 * A body-less Web `Request` with the message's method and headers. The host is fixed (`localhost`): the
 * handlers read only the path, and a client-chosen `Host` must not steer anything.
 * @example
 * const response = await dashboard(webRequestFromNode(req, req.originalUrl), { basePath: req.baseUrl });
 */
export function webRequestFromNode(message: IncomingMessage, pathAndQuery: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(nodeHeaders(message))) {
    // HTTP/2 pseudo-headers (":path") are not header names to the Fetch API.
    if (value !== undefined && !name.startsWith(':')) headers.set(name, value);
  }
  const path = pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`;
  return new Request(`http://localhost${path}`, { method: message.method ?? 'GET', headers });
}

/** Status, headers and body text of a handler's `Response`, for frameworks that write them their way. */
export async function webResponseParts(
  response: Response,
): Promise<{ status: number; headers: Array<[string, string]>; body: string }> {
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return { status: response.status, headers, body: response.body ? await response.text() : '' };
}

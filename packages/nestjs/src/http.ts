/**
 * Translation between Nest's HTTP platforms (Express and Fastify) and the core: the request becomes a
 * `ShieldRequest`, decisions become headers and problem bodies. No detection or validation here.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Decision, Policy, Problem, Shield, ShieldRequest } from '@ai-shield/core';
import { bodyLimits, toShieldRequestFromNode } from '@ai-shield/core/node';

/**
 * The parts of an Express `Request` or a Fastify `FastifyRequest` the shield reads. A Fastify request
 * wraps the Node message in `raw`; an Express request is the Node message.
 */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  headers: IncomingMessage['headers'];
  body?: unknown;
  raw?: IncomingMessage;
  socket?: IncomingMessage['socket'];
  aiShield?: Decision;
  [key: string | symbol]: unknown;
}

/** The parts of an Express `Response` or a Fastify `FastifyReply` the shield writes. */
export interface HttpResponseLike {
  statusCode: number;
  status(code: number): unknown;
  header(name: string, value: string): unknown;
  send(body?: unknown): unknown;
  /** Express */
  headersSent?: boolean;
  /** Fastify */
  sent?: boolean;
}

/** The Node message behind the platform's request. */
export function nodeRequestOf(req: HttpRequestLike): IncomingMessage {
  return req.raw ?? (req as unknown as IncomingMessage);
}

/**
 * Builds the core request. A body some parser already produced is handed over as a value (its limits
 * applied); otherwise the raw stream is read here, within `validation.maxBodyBytes`.
 */
export function toShieldRequest(
  req: HttpRequestLike,
  socketIp: string | undefined,
  options: Shield['options'],
  policy?: Policy,
): Promise<ShieldRequest> {
  const url = req.originalUrl ?? req.url;
  const query = url.indexOf('?');
  return toShieldRequestFromNode(nodeRequestOf(req), {
    path: query === -1 ? url : url.slice(0, query),
    method: req.method,
    parsedBody: req.body,
    ...bodyLimits((policy?.options ?? options).validation),
    ...(socketIp !== undefined ? { socketIp } : {}),
  });
}

export function setHeaders(res: HttpResponseLike, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.header(name, value);
}

export function isResponseSent(res: HttpResponseLike): boolean {
  return res.headersSent === true || res.sent === true;
}

/** Writes an RFC 9457 problem body (Express `res` and Fastify `reply` share these methods). */
export function sendProblem(res: HttpResponseLike, problem: Problem, headers: Record<string, string>): void {
  setHeaders(res, headers);
  // A body we stopped reading is left on the socket: close it rather than drain megabytes.
  if (problem.status === 413) res.header('connection', 'close');
  res.status(problem.status);
  res.header('content-type', 'application/problem+json');
  res.send(JSON.stringify(problem));
}

/** The smallest part of Fastify's instance API the module touches. */
interface FastifyParsers {
  hasContentTypeParser(type: string): boolean;
  removeContentTypeParser(type: string | string[]): void;
  addContentTypeParser(
    type: string,
    parser: (req: unknown, payload: unknown, done: (error: Error | null, body?: unknown) => void) => void,
  ): void;
}

/**
 * Fastify parses JSON and text before any guard runs, answering malformed, oversized and unknown bodies
 * itself. This replaces its JSON and text parsers (and Nest's) with one catch-all that leaves the stream
 * unread, so `AiShieldGuard` reads it within the shield's own limits. Parsers for other types (multipart,
 * url-encoded) stay; a catch-all (`'*'`) parser of the application is replaced.
 */
export function deferFastifyBodies(instance: FastifyParsers): void {
  const types = ['application/json', 'text/plain'].filter((type) => instance.hasContentTypeParser(type));
  if (types.length > 0) instance.removeContentTypeParser(types);
  instance.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}

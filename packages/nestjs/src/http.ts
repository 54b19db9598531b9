/**
 * Translation between Nest's HTTP platforms (Express and Fastify) and the core: the request becomes a
 * `ShieldRequest`, decisions become headers and problem bodies. No detection or validation here.
 * @module
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Decision, Policy, Problem, Shield, ShieldRequest } from '@ai-shield/core';
import { bodyLimits, toShieldRequestFromNode } from '@ai-shield/core/node';
import { HttpException } from '@nestjs/common';

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

/**
 * Calls `done` once when the response is over: sent, failed, or the client went away (the Node
 * response's `close`; Fastify's reply wraps it as `raw`).
 */
export function onResponseClosed(res: HttpResponseLike | undefined, done: () => void): void {
  const node = ((res as { raw?: unknown } | undefined)?.raw ?? res) as
    | { once?: (event: string, listener: () => void) => void }
    | undefined;
  if (typeof node?.once === 'function') node.once('close', done);
  else done();
}

/** The Node message behind the platform's request. */
export function nodeRequestOf(req: HttpRequestLike): IncomingMessage {
  return req.raw ?? (req as unknown as IncomingMessage);
}

/** The path without the query string, as the app routes it (`originalUrl` under a mounted router). */
function pathOf(req: HttpRequestLike): string {
  const url = req.originalUrl ?? req.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
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
  return toShieldRequestFromNode(nodeRequestOf(req), {
    path: pathOf(req),
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

type Next = (error?: unknown) => void;
type Parser = (req: HttpRequestLike, res: HttpResponseLike, next: Next) => void;
type ExpressLayer = { name?: string; handle?: Parser };

/** Nest's Express body parsers left for this request, in order (see `deferExpressParsers`). */
const DEFERRED_PARSERS = Symbol('ai-shield.deferredParsers');

/**
 * Nest's default Express set-up parses JSON and url-encoded bodies before any guard runs, with limits of
 * its own (100 kB) and no time limit. This leaves each body on the socket instead, so that the bodies the
 * shield protects are read as in every other adapter: `AiShieldGuard` reads them within
 * `validation.maxBodyBytes` and the body timeouts. For the routes it does not guard (`@SkipShield()`,
 * controllers without the guard) `AiShieldInterceptor` runs Nest's parsers when the handler is reached
 * (`runDeferredParsers`). Middleware that runs before guards sees no parsed body.
 */
export function deferExpressParsers(stack: ExpressLayer[]): number {
  let deferred = 0;
  for (const layer of stack) {
    if ((layer.name !== 'jsonParser' && layer.name !== 'urlencodedParser') || !layer.handle) continue;
    const parse = layer.handle;
    layer.handle = function deferredParser(req, _res, next) {
      const pending = req[DEFERRED_PARSERS] as Parser[] | undefined;
      if (pending) pending.push(parse);
      else req[DEFERRED_PARSERS] = [parse];
      next();
    };
    deferred++;
  }
  return deferred;
}

/** Forgets the deferred parsers: the guard has read the body. */
export function dropDeferredParsers(req: HttpRequestLike): void {
  if (req[DEFERRED_PARSERS]) req[DEFERRED_PARSERS] = undefined;
}

/** Whether Nest's parsers still wait to run for this request. */
export function hasDeferredParsers(req: HttpRequestLike): boolean {
  return req[DEFERRED_PARSERS] !== undefined;
}

/**
 * Runs the parsers `deferExpressParsers` held back, as Express would have. Rejects with the parser's
 * refusal as an `HttpException` (its status and, for client errors, its message), which Nest answers.
 */
export async function runDeferredParsers(req: HttpRequestLike, res: HttpResponseLike): Promise<void> {
  const parsers = req[DEFERRED_PARSERS] as Parser[] | undefined;
  req[DEFERRED_PARSERS] = undefined;
  for (const parse of parsers ?? []) {
    const error = await new Promise<unknown>((resolve) => parse(req, res, resolve));
    if (error === undefined) continue;
    const { status, expose, message } = error as { status?: unknown; expose?: unknown; message?: unknown };
    if (typeof status !== 'number' || status < 400 || status > 599) throw error;
    const text = expose === true && typeof message === 'string' ? message : (STATUS_CODES[status] ?? 'Error');
    throw new HttpException(text, status, { cause: error });
  }
}

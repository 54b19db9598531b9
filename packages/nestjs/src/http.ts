/**
 * Translation between Nest's HTTP platforms (Express and Fastify) and the core: the request becomes a
 * `ShieldRequest`, decisions become headers and problem bodies. No detection or validation here.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Decision, Policy, Problem, Shield, ShieldRequest } from '@ai-shield/core';
import { isDenied, toProblem } from '@ai-shield/core';
import { bodyLimits, nodeHeaders, toShieldRequestFromNode } from '@ai-shield/core/node';

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

/** What body-parser (behind Nest's Express parsers) puts on the errors it passes to `next(err)`. */
interface BodyParserError {
  type?: unknown;
  /** The raw text, on `entity.parse.failed`. */
  body?: unknown;
  /** The declared or counted length, on `entity.too.large`. */
  length?: unknown;
}

/**
 * The shield's view of a request Nest's body parser refused: the raw text of a malformed body (so the
 * shield answers 400 and audits its hash), or a body too large to read (413). `undefined` for other
 * errors, which go on to Nest unchanged.
 */
export function parserErrorRequest(error: unknown, req: HttpRequestLike): ShieldRequest | undefined {
  const { type, body, length } = (error ?? {}) as BodyParserError;
  if (type !== 'entity.parse.failed' && type !== 'entity.too.large') return undefined;
  const message = nodeRequestOf(req);
  const request: ShieldRequest = {
    method: req.method,
    path: pathOf(req),
    headers: nodeHeaders(message),
    socketIp: message.socket?.remoteAddress,
  };
  if (type === 'entity.parse.failed') request.bodyText = typeof body === 'string' ? body : '';
  else {
    request.bodyTruncated = true;
    if (typeof length === 'number') request.rawSize = length;
  }
  return request;
}

type Next = (error?: unknown) => void;
type ExpressLayer = {
  name?: string;
  handle?: (req: HttpRequestLike, res: HttpResponseLike, next: Next) => void;
};

/**
 * Nest's default Express set-up parses JSON and url-encoded bodies before any guard runs. The parsed
 * value is what the guard checks (the shield's limits applied to it); this wraps the parsers so that
 * their refusals (malformed JSON, a body over the parser's limit) are decided by the shield too:
 * problem+json 400 / 413 with the request id, audited, instead of Nest's own error body.
 */
export function shieldExpressParsers(stack: ExpressLayer[], shield: Shield): number {
  let wrapped = 0;
  for (const layer of stack) {
    if ((layer.name !== 'jsonParser' && layer.name !== 'urlencodedParser') || !layer.handle) continue;
    const parse = layer.handle;
    layer.handle = function shieldedParser(req, res, next) {
      parse(req, res, (error?: unknown) => {
        const request = error ? parserErrorRequest(error, req) : undefined;
        if (!request) return next(error);
        shield.protect(request).then((decision) => {
          if (!isDenied(decision)) return next(error);
          if (!isResponseSent(res)) sendProblem(res, toProblem(decision), decision.headers);
        }, next);
      });
    };
    wrapped++;
  }
  return wrapped;
}

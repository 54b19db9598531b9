/**
 * @ai-shield/hono: AI Shield for Hono 4 on Node (@hono/node-server), Bun, Deno and Cloudflare Workers.
 * Translates the Hono request into the core's `ShieldRequest`, applies the `Decision`, and runs the
 * response checks on `c.res` after the handler. No detection logic lives here, and nothing runs at import
 * time (Workers refuse timers, randomness and I/O at global scope).
 * @module
 */
import {
  awaitBody,
  bodyTimeouts,
  createDashboardHandler,
  createMetricsHandler,
  createShield,
  type DashboardOptions,
  type Decision,
  isDenied,
  isJsonMediaType,
  type MetricsOptions,
  mergeDecisions,
  type Policy,
  type RouteOverrides,
  readBodyText,
  resolveOptions,
  type Shield,
  type ShieldOptions,
  type ShieldRequest,
  streamKindOf,
  toProblem,
  toResponseProblem,
  type WebHandler,
} from '@ai-shield/core';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';

export * from '@ai-shield/core';

/** What the middleware puts on the context: `c.get('aiShield')` / `c.var.aiShield`. */
export type AiShieldVariables = {
  /** The shield's decision for this request (set before your handler runs). */
  aiShield: Decision;
};

// Typed c.get('aiShield') / c.var.aiShield, the way hono's jwt middleware types jwtPayload.
declare module 'hono' {
  interface ContextVariableMap extends AiShieldVariables {}
}

export interface HonoShieldOptions extends ShieldOptions {
  /**
   * Environment variables to read settings from, or `false`. Default: `globalThis.process?.env` when
   * it exists (Node, Bun, Deno, and Workers with `nodejs_compat`); otherwise none.
   */
  env?: ShieldOptions['env'];
  /**
   * How to find the TCP peer's address, e.g. `getConnInfo` from `@hono/node-server/conninfo` or
   * `hono/cloudflare-workers` (the same argument hono's `ipRestriction` takes). Default: read from
   * @hono/node-server's, Bun's and Deno's bindings, or `CF-Connecting-IP` on Cloudflare Workers.
   */
  getConnInfo?: GetConnInfo;
}

type Env = { Variables: AiShieldVariables };

/** The shape of hono's `GetConnInfo` (hono/conninfo, 4.2+), restated so any Hono 4 works. */
export type GetConnInfo = (c: Context) => { remote: { address?: string } };

/** The middleware, with per-route policies and the underlying shield attached. */
export interface AiShieldMiddleware extends MiddlewareHandler<Env> {
  /**
   * A route-level middleware applying `overrides` on top of the global options. After the global
   * middleware it re-runs validation and detection only (budgets are not spent twice), plus a rate
   * budget of its own when `overrides.rate` is given; its response checks replace the global ones.
   * @example
   * app.post('/v1/chat', shield.route({ validation: { schema: chatSchema } }), handler);
   */
  route(overrides: RouteOverrides): MiddlewareHandler<Env>;
  /**
   * The security dashboard (a page and its JSON API) at `options.path` (default `/ai-shield`), behind a
   * bearer token or a role; a Web handler, so it runs on Workers too. Register it before the shield so
   * its own polling is neither rate-limited nor counted.
   * @example
   * app.use(shield.dashboard({ token: env.AI_SHIELD_DASHBOARD_TOKEN }));
   * app.use(shield);
   */
  dashboard(options: DashboardOptions): MiddlewareHandler<Env>;
  /**
   * Prometheus text exposition of the shield's counters at `options.path` (default `/metrics`).
   * @example
   * app.get('/metrics', shield.metrics());
   */
  metrics(options?: MetricsOptions): MiddlewareHandler<Env>;
  /** The underlying shield (created on first access or first request, never at import time). */
  readonly shield: Shield;
}

type Bindings = {
  /** @hono/node-server */
  incoming?: { socket?: { remoteAddress?: string } };
  /** Bun: `Bun.serve({ fetch: app.fetch })` passes the server. */
  requestIP?: (request: Request) => { address?: string } | null;
  /** Deno: `Deno.serve(app.fetch)` passes the handler info. */
  remoteAddr?: { hostname?: string };
};

const onWorkers = () =>
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';

/** The TCP peer, as each runtime's own `getConnInfo` helper reads it. */
function socketIpOf(c: Context): string | undefined {
  const env = c.env as Bindings | undefined;
  if (env && typeof env === 'object') {
    if (env.incoming) return env.incoming.socket?.remoteAddress;
    if (typeof env.requestIP === 'function') return env.requestIP(c.req.raw)?.address ?? undefined;
    if (env.remoteAddr) return env.remoteAddr.hostname;
  }
  // Only Cloudflare's edge can set this header on a request that reaches a Worker.
  return onWorkers() ? c.req.header('cf-connecting-ip') : undefined;
}

function webHeaders(from: Headers): ShieldRequest['headers'] {
  const headers: ShieldRequest['headers'] = {};
  from.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * On @hono/node-server, the headers straight from Node's `rawHeaders`, combined as the Web `Headers` the
 * app reads would combine them (lower-case names, repeats joined with ", "): iterating `raw.headers`
 * there first builds a full, sorted `Headers` object per request (issue 15). Only while `c.req.raw` is
 * still node-server's own request: a middleware that replaced it with a `new Request(...)` may have
 * changed the headers, which are then read from it.
 */
function nodeServerHeaders(c: Context): ShieldRequest['headers'] | undefined {
  const incoming = (c.env as { incoming?: { rawHeaders?: unknown } } | undefined)?.incoming;
  const rawHeaders = incoming?.rawHeaders;
  if (!Array.isArray(rawHeaders) || Object.getPrototypeOf(c.req.raw) === Request.prototype) return undefined;
  const headers: ShieldRequest['headers'] = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = String(rawHeaders[i]).toLowerCase();
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers, which node-server skips too
    const value = trimHttpWhitespace(String(rawHeaders[i + 1]));
    const previous = headers[name];
    // As Headers does: cookies joined with "; ", other repeats with ", ", each Set-Cookie on its own
    // (forEach above then keeps the last one).
    headers[name] =
      previous === undefined || name === 'set-cookie'
        ? value
        : `${previous}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return headers;
}

const isHttpWhitespace = (code: number) => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** Strips leading and trailing HTTP whitespace (Fetch's header value normalization), nothing else. */
function trimHttpWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** Builds the core request; reads the body (within the byte cap) through Hono's cached `c.req.text()`. */
async function toShieldRequest(
  c: Context,
  options: Shield['options'],
  policy: Policy | undefined,
  getConnInfo: GetConnInfo | undefined,
): Promise<ShieldRequest> {
  const raw = c.req.raw;
  const headers = nodeServerHeaders(c) ?? webHeaders(raw.headers);
  const request: ShieldRequest = {
    method: c.req.method,
    path: c.req.path,
    headers,
    socketIp: getConnInfo ? getConnInfo(c).remote.address : socketIpOf(c),
  };
  if (Object.keys(c.req.bodyCache).length > 0) {
    // Read before us (an outer aiShield(), a validator): Hono's cache has it.
    request.bodyText = await c.req.text();
    request.rawSize = new TextEncoder().encode(request.bodyText).byteLength;
    return request;
  }
  const validation = (policy?.options ?? options).validation;
  const max = validation.maxBodyBytes;
  const timeouts = bodyTimeouts(validation);
  const length = headers['content-length'];
  const chunked = headers['transfer-encoding'] !== undefined;
  if (length !== undefined && !chunked) {
    const declared = Number(length);
    if (Number.isFinite(declared)) request.rawSize = declared;
    // Too large or empty: decided from the header alone, the body is never read.
    if (!(declared > 0 && declared <= max)) return request;
    // A trickled body must not hold the request: 408 after the time limit or below the minimum rate.
    const text = await awaitBody(c.req.text(), timeouts, declared);
    if (typeof text === 'string') request.bodyText = text;
    else request.bodyTimedOut = text.timedOut;
    return request;
  }
  // Touch raw.body only now: on @hono/node-server that builds a full Request, which the common case above
  // does not need. Without either header there is no body on the wire; in-process requests may have one.
  if (!chunked && (c.req.method === 'GET' || c.req.method === 'HEAD')) return request;
  if (raw.body === null || raw.bodyUsed) return request;
  // Chunked: measure a clone with a capped reader first, so an endless body costs at most `max` bytes;
  // the original stays unread for c.req.text(), whose cached result the handler's c.req.json() reuses.
  const measured = await readBodyText(raw.clone().body!, max, timeouts);
  request.rawSize = measured.size;
  if (measured.truncated || measured.timedOut) {
    if (measured.truncated) request.bodyTruncated = true;
    if (measured.timedOut) request.bodyTimedOut = measured.timedOut;
    return request;
  }
  request.bodyText = await c.req.text();
  return request;
}

/**
 * Hands the body the shield parsed (and, under `sanitize: 'strip'`, cleaned) to the handler through
 * Hono's body cache: `c.req.json()` then neither parses the text a second time nor sees the raw text.
 */
function shareParsedBody(c: Context, decision: Decision): void {
  if (decision.body === undefined) return;
  const cache = c.req.bodyCache as { json?: Promise<unknown>; text?: Promise<string> };
  cache.json = Promise.resolve(decision.body);
  if (decision.findings.some((f) => f.source === 'validation' && f.kind.startsWith('unicode.'))) {
    cache.text = Promise.resolve(JSON.stringify(decision.body));
  }
}

function problemResponse(status: number, problem: object, headers: Headers): Response {
  headers.set('content-type', 'application/problem+json');
  headers.delete('content-length');
  return new Response(JSON.stringify(problem), { status, headers });
}

/** Replaces `c.res` without Hono merging the old headers (content-length among them) into the new one. */
function replaceResponse(
  c: Context,
  body: BodyInit | null,
  from: Response,
  headers = new Headers(from.headers),
) {
  headers.delete('content-length');
  c.res = undefined;
  c.res = new Response(body, { status: from.status, statusText: from.statusText, headers });
}

/**
 * Calls `shield.finish(decision)` once the response body has been sent or cancelled (the client went
 * away), or at once for a response without a body.
 */
function finishWithBody(c: Context, shield: Shield, decision: Decision): void {
  const res = c.res;
  if (!res.body) {
    void shield.finish(decision);
    return;
  }
  const reader = res.body.getReader();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    void shield.finish(decision);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          end();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end();
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  c.res = undefined;
  c.res = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * The response side: JSON and complete text bodies go through `shield.checkResponse`; `text/event-stream`
 * and chunked `text/*` bodies go through the core's incremental TransformStream.
 */
async function guardResponse(c: Context, shield: Shield, decision: Decision, policy?: Policy) {
  const res = c.res;
  // Compressed bytes cannot be scanned; bodiless responses have nothing to scan.
  if (!res.body || res.headers.has('content-encoding')) return;
  const type = res.headers.get('content-type') ?? '';
  const record = (findings: Decision['findings']) => {
    if (findings.length > 0) decision.findings.push(...findings);
  };
  const kind = streamKindOf(type);
  if (kind === 'sse' || (kind === 'text' && res.headers.get('transfer-encoding') === 'chunked')) {
    const filter = shield.createResponseStream(
      kind,
      decision,
      { onEnd: (summary) => record(summary.findings) },
      policy,
    );
    replaceResponse(c, res.body.pipeThrough(filter), res);
    return;
  }
  if (!isJsonMediaType(type) && !kind) return;
  const text = await res.text();
  const result = shield.checkResponse(
    { status: res.status, headers: { 'content-type': type }, body: text },
    decision,
    policy,
  );
  record(result.findings);
  if (result.action === 'block' && decision.mode === 'enforce') {
    const problem = toResponseProblem(result, decision.requestId);
    c.res = undefined;
    c.res = problemResponse(problem.status, problem, new Headers(res.headers));
    return;
  }
  const body =
    result.modified && result.action !== 'block'
      ? typeof result.body === 'string'
        ? result.body
        : JSON.stringify(result.body)
      : text;
  replaceResponse(c, body, res);
}

/**
 * Checks `c.json(object)` bodies on the object itself, before Hono serializes them: no serialize,
 * re-read and rebuild of the response afterwards (which also keeps @hono/node-server on its fast path).
 * Returns the status the checked response will have, for the after-`next()` check to recognise it: a
 * status set with `c.status()` is not visible here, so such responses differ and are checked again, whole.
 */
function checkJsonBodies(
  c: Context,
  shield: Shield,
  decision: Decision,
  policy?: Policy,
): { value: number | undefined; response?: Response } {
  const seen: { value: number | undefined; response?: Response } = { value: undefined };
  const json = c.json.bind(c) as (object: unknown, ...rest: unknown[]) => Response;
  c.json = ((object: unknown, ...rest: unknown[]) => {
    const arg = rest[0];
    const status = typeof arg === 'number' ? arg : ((arg as { status?: number } | undefined)?.status ?? 200);
    const result = shield.checkResponse({ status, body: object }, decision, policy);
    if (result.findings.length > 0) decision.findings.push(...result.findings);
    if (result.action === 'block' && decision.mode === 'enforce') {
      const problem = toResponseProblem(result, decision.requestId);
      seen.value = problem.status;
      return problemResponse(problem.status, problem, new Headers());
    }
    seen.value = status;
    seen.response = json(result.modified && result.action !== 'block' ? result.body : object, ...rest);
    return seen.response;
  }) as typeof c.json;
  return seen;
}

/**
 * Serves a core Web handler for the requests below where it is mounted (other requests go on to `next`).
 */
function mountWebHandler<O extends { path: string }>(
  handler: WebHandler<O>,
  getConnInfo: GetConnInfo | undefined,
): MiddlewareHandler<Env> {
  return createMiddleware<Env>(async function aiShieldEndpoint(c, next) {
    // app.use(h): its own path; app.use('/ops/*', h): '/ops'; app.get('/metrics', h): that route.
    const route = c.req.routePath;
    const basePath =
      route === '*' || route === '/*'
        ? handler.options.path
        : route.endsWith('/*')
          ? route.slice(0, -2)
          : c.req.path;
    const path = c.req.path;
    if (path !== basePath && !path.startsWith(basePath === '/' ? '/' : `${basePath}/`)) {
      await next();
      return;
    }
    const identity = (c.get('aiShield') as Decision | undefined)?.identity;
    const socketIp = getConnInfo ? getConnInfo(c).remote.address : socketIpOf(c);
    return handler(c.req.raw, {
      basePath,
      ...(identity ? { identity } : {}),
      ...(socketIp ? { socketIp } : {}),
    });
  });
}

/**
 * Protects a Hono app or some of its routes. Options are validated here, once (an invalid option throws
 * `AiShieldConfigError`); no timers, randomness or I/O happen until the first request, so it is safe at a
 * Worker's global scope. A denied request ends with an `HTTPException` carrying the
 * `application/problem+json` response (and the decision as `cause`), like hono's own auth middleware.
 * @example
 * import { Hono } from 'hono';
 * import { aiShield, chatSchema } from '@ai-shield/hono';
 * const app = new Hono();
 * app.use('/v1/*', aiShield({ routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } }));
 * app.post('/v1/chat', async (c) => c.json({ action: c.get('aiShield').action, body: await c.req.json() }));
 */
export function aiShield(options: HonoShieldOptions = {}): AiShieldMiddleware {
  const { getConnInfo, ...rest } = options;
  const env =
    rest.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const input: ShieldOptions = { ...rest, ...(env ? { env } : {}) };
  // Validated now, so a wrong option fails at startup; built on the first request, because a Worker's
  // global scope refuses timers and random values and the shield may use them when it is created.
  resolveOptions(input);
  let instance: Shield | undefined;
  const shieldOf = (): Shield => (instance ??= createShield(input));
  // Contexts whose response a route-level middleware has checked already (the global one then skips).
  const checked = new WeakSet<Context>();

  async function handle(c: Context<Env>, next: () => Promise<void>, policy?: Policy): Promise<void> {
    const shield = shieldOf();
    const outer = c.get('aiShield') as Decision | undefined;
    let request: ShieldRequest;
    try {
      request = await toShieldRequest(c, shield.options, policy, getConnInfo);
    } catch (error) {
      // The client went away mid-body or the stream broke: nothing to inspect, nothing to pass on.
      throw new HTTPException(400, { message: 'Unreadable request body', cause: error });
    }
    const decision = await shield.protect(request, {
      ...(policy ? { policy } : {}),
      ...(outer ? { outer } : {}),
    });
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
    if (isDenied(decision)) {
      // Under a global aiShield(), keep its RateLimit headers too (a custom onError may send this as is).
      const headers = new Headers(outer ? { ...outer.headers, ...decision.headers } : decision.headers);
      // A body we did not read is left on the connection: close it rather than drain megabytes.
      if (decision.status === 413) headers.set('connection', 'close');
      const res = problemResponse(decision.status, toProblem(decision), headers);
      throw new HTTPException(decision.status, { res, cause: decision });
    }
    const merged = outer ? mergeDecisions(outer, decision) : decision;
    c.set('aiShield', merged);
    shareParsedBody(c, decision);
    const checkJson = (policy ?? shield).options.output.enabled && !checked.has(c);
    const jsonStatus = checkJson ? checkJsonBodies(c, shield, merged, policy) : undefined;
    try {
      await next();
      // A Response returned as is (e.g. from fetch()) never saw the headers prepared with c.header();
      // the one our c.json() built did (issue 15: no header lookups on the common path).
      if (jsonStatus?.response === undefined || c.res !== jsonStatus.response) {
        for (const [name, value] of Object.entries(merged.headers)) {
          if (c.res.headers.get(name) === null) c.header(name, value);
        }
      }
      if (checked.has(c)) return;
      checked.add(c);
      // A body from c.json() was checked as an object already (unless the status changed after it).
      if (jsonStatus?.value !== undefined && c.res.status === jsonStatus.value) return;
      if ((policy ?? shield).options.output.enabled || merged.budget)
        await guardResponse(c, shield, merged, policy);
    } finally {
      // The in-flight slot and the token reservation end with the body: sent, failed or cancelled.
      if (decision.lease || decision.budget) finishWithBody(c, shield, decision);
    }
  }

  const middleware = createMiddleware<Env>(function aiShield(c, next) {
    return handle(c, next);
  }) as AiShieldMiddleware;
  Object.defineProperty(middleware, 'shield', { get: shieldOf });
  middleware.route = (overrides) => {
    // Checked now like the global options (reported under `routes["route()"]`), compiled on first use.
    resolveOptions({ ...input, routes: { 'route()': overrides } });
    let policy: Policy | undefined;
    return createMiddleware<Env>(function aiShieldRoute(c, next) {
      policy ??= shieldOf().policy(overrides);
      return handle(c, next, policy);
    });
  };
  middleware.dashboard = (dashboardOptions) =>
    mountWebHandler(createDashboardHandler(shieldOf, dashboardOptions), getConnInfo);
  middleware.metrics = (metricsOptions) =>
    mountWebHandler(createMetricsHandler(shieldOf, metricsOptions), getConnInfo);
  return middleware;
}

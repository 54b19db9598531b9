/**
 * @ai-shield/koa: AI Shield for Koa 3. Translates the Koa context into the core's `ShieldRequest`,
 * applies the `Decision`, puts it on `ctx.state.aiShield`, and runs the response checks on `ctx.body`
 * after `await next()`. No detection logic lives here.
 * @module
 */
import {
  createDashboardHandler,
  createMetricsHandler,
  createShield,
  type DashboardOptions,
  type Decision,
  isDenied,
  type MetricsOptions,
  mergeDecisions,
  type Policy,
  type Problem,
  type RouteOverrides,
  type Shield,
  type ShieldOptions,
  type ShieldRequest,
  toProblem,
  type WebHandler,
} from '@ai-shield/core';
import {
  bodyLimits,
  toShieldRequestFromNode,
  webRequestFromNode,
  webResponseParts,
} from '@ai-shield/core/node';
import type { Context, Middleware, Next } from 'koa';
import { checkBody } from './response.js';

export * from '@ai-shield/core';

declare module 'koa' {
  interface DefaultState {
    /** The shield's decision for this request (set before your handler runs). */
    aiShield?: Decision;
  }
}

export type KoaShieldOptions = ShieldOptions;

/** The state the middleware sets, for apps that type `ctx.state` themselves (`new Koa<AiShieldState>()`). */
export interface AiShieldState {
  aiShield?: Decision;
}

/** The middleware, with per-route policies and the underlying shield attached. */
export interface AiShieldMiddleware extends Middleware {
  /**
   * A route-level middleware applying `overrides` on top of the global options. After the global
   * middleware it re-runs validation and detection only (budgets are not spent twice), plus a rate
   * budget of its own when `overrides.rate` is given.
   * @example
   * router.post('/v1/chat', shield.route({ validation: { schema: chatSchema } }), handler);
   */
  route(overrides: RouteOverrides): Middleware;
  /**
   * The security dashboard (a page and its JSON API) at `options.path` (default `/ai-shield`), behind a
   * bearer token or a role. Use it before the shield so its own polling is neither rate-limited nor counted.
   * @example
   * app.use(shield.dashboard({ token: process.env.AI_SHIELD_DASHBOARD_TOKEN }));
   * app.use(shield);
   */
  dashboard(options: DashboardOptions): Middleware;
  /**
   * Prometheus text exposition of the shield's counters at `options.path` (default `/metrics`).
   * @example
   * app.use(shield.metrics());
   */
  metrics(options?: MetricsOptions): Middleware;
  readonly shield: Shield;
}

/** Per request: which policy and decision the response checks use (the innermost middleware's). */
const RESPONSE = Symbol.for('ai-shield.koa.response');

interface ResponseState {
  decision: Decision;
  policy?: Policy;
}

type ShieldContext = Context & { [RESPONSE]?: ResponseState };

/** `ctx.request.body` as set by a body parser (@koa/bodyparser, koa-body); Koa itself has no such field. */
type WithBody = { body?: unknown };

/** Builds the core request; reads the body (within the byte cap) only when nothing parsed it before. */
function toShieldRequest(ctx: Context, options: Shield['options'], policy?: Policy): Promise<ShieldRequest> {
  return toShieldRequestFromNode(ctx.req, {
    path: ctx.path,
    method: ctx.method,
    // A body parser ran first (@koa/bodyparser, koa-body): its limits applied; ours are checked on the value.
    parsedBody: (ctx.request as WithBody).body,
    ...bodyLimits((policy?.options ?? options).validation),
  });
}

function sendProblem(ctx: Context, problem: Problem): void {
  // A body we stopped reading is left on the socket: close it rather than drain megabytes.
  if (problem.status === 413) ctx.set('connection', 'close');
  ctx.status = problem.status;
  ctx.body = JSON.stringify(problem);
  ctx.type = 'application/problem+json';
}

/** Serves a core Web handler for the requests below its `path`; other requests go on to `next`. */
function mountWebHandler<O extends { path: string }>(handler: WebHandler<O>): Middleware {
  const basePath = handler.options.path;
  return async function aiShieldEndpoint(ctx: Context, next: Next) {
    if (ctx.path !== basePath && !ctx.path.startsWith(basePath === '/' ? '/' : `${basePath}/`)) {
      await next();
      return;
    }
    let request: Request;
    try {
      request = webRequestFromNode(ctx.req, ctx.originalUrl);
    } catch {
      ctx.status = 400;
      ctx.body = '';
      return;
    }
    const response = await handler(request, {
      basePath,
      ...(ctx.state.aiShield?.identity ? { identity: ctx.state.aiShield.identity } : {}),
      ...(ctx.req.socket.remoteAddress ? { socketIp: ctx.req.socket.remoteAddress } : {}),
    });
    const { status, headers, body } = await webResponseParts(response);
    ctx.status = status;
    for (const [name, value] of headers) ctx.set(name, value);
    // A string body, even empty: `null` would turn the status into 204.
    ctx.body = body;
  };
}

/**
 * Protects a Koa 3 app or router. Works with or without a body parser before it: when none ran, the
 * shield reads the body within `validation.maxBodyBytes` and sets `ctx.request.body` for your handler.
 * @example
 * import Koa from 'koa';
 * import { aiShield } from '@ai-shield/koa';
 * const app = new Koa();
 * app.use(aiShield());
 */
export function aiShield(options: KoaShieldOptions = {}): AiShieldMiddleware {
  const shield = createShield({ ...options, env: options.env ?? process.env });

  async function handle(ctx: ShieldContext, next: Next, policy?: Policy): Promise<void> {
    const outer = ctx.state.aiShield as Decision | undefined;
    let request: ShieldRequest;
    try {
      request = await toShieldRequest(ctx, shield.options, policy);
    } catch {
      // The client went away mid-body or the stream broke: nobody to answer, nothing to pass on.
      ctx.status = 400;
      ctx.body = '';
      return;
    }
    const decision = await shield.protect(request, {
      ...(policy ? { policy } : {}),
      ...(outer ? { outer } : {}),
    });
    ctx.set(decision.headers);
    if (isDenied(decision)) {
      sendProblem(ctx, toProblem(decision));
      return;
    }
    const merged = outer ? mergeDecisions(outer, decision) : decision;
    ctx.state.aiShield = merged;
    // The in-flight slot and the token reservation end with the response: finished, failed or abandoned.
    if (decision.lease || decision.budget) ctx.res.once('close', () => void shield.finish(decision));
    // Only when we consumed the stream: the handler would otherwise see no body at all.
    const req = ctx.request as WithBody;
    if (req.body === undefined && decision.body !== undefined) req.body = decision.body;

    // The outermost shield middleware runs the response checks once, under the innermost policy.
    const existing = ctx[RESPONSE];
    if (existing) {
      existing.decision = merged;
      if (policy) existing.policy = policy;
      await next();
      return;
    }
    const state: ResponseState = { decision: merged, ...(policy ? { policy } : {}) };
    ctx[RESPONSE] = state;
    await next();
    if ((state.policy ?? shield).options.output.enabled || state.decision.budget) {
      await checkBody(shield, ctx, state.decision, state.policy, (findings) => {
        if (findings.length > 0) ctx.state.aiShield?.findings.push(...findings);
      });
    }
  }

  const middleware = (async (ctx: Context, next: Next) => handle(ctx, next)) as AiShieldMiddleware;
  Object.defineProperty(middleware, 'name', { value: 'aiShield' });
  Object.defineProperty(middleware, 'shield', { value: shield });
  middleware.route = (overrides) => {
    const policy = shield.policy(overrides);
    return async function aiShieldRoute(ctx: Context, next: Next) {
      await handle(ctx, next, policy);
    };
  };
  middleware.dashboard = (dashboardOptions) =>
    mountWebHandler(createDashboardHandler(shield, dashboardOptions));
  middleware.metrics = (metricsOptions) => mountWebHandler(createMetricsHandler(shield, metricsOptions));
  return middleware;
}

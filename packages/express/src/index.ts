/**
 * @ai-shield/express: AI Shield for Express 5. Translates the Express request into the core's
 * `ShieldRequest`, applies the `Decision`, and runs the response checks on `res.json` / `res.send`.
 * No detection logic lives here.
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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { guardResponse } from './response.js';

export * from '@ai-shield/core';
export { aiShieldErrorHandler, type ErrorHandlerOptions } from './error-handler.js';

declare global {
  namespace Express {
    interface Request {
      /** The shield's decision for this request (set before your handler runs). */
      aiShield?: Decision;
    }
  }
}

export type ExpressShieldOptions = ShieldOptions;

/** The middleware, with per-route policies and the underlying shield attached. */
export interface AiShieldMiddleware extends RequestHandler {
  /**
   * A route-level middleware applying `overrides` on top of the global options. After the global
   * middleware it re-runs validation and detection only (budgets are not spent twice), plus a rate
   * budget of its own when `overrides.rate` is given.
   * @example
   * app.post('/v1/chat', shield.route({ validation: { schema: chatSchema } }), handler);
   */
  route(overrides: RouteOverrides): RequestHandler;
  /**
   * The security dashboard (a page and its JSON API), behind a bearer token or a role. Mount it before
   * the shield so its own polling is neither rate-limited nor counted.
   * @example
   * app.use('/ai-shield', shield.dashboard({ token: process.env.AI_SHIELD_DASHBOARD_TOKEN }));
   * app.use(shield);
   */
  dashboard(options: DashboardOptions): RequestHandler;
  /**
   * Prometheus text exposition of the shield's counters.
   * @example
   * app.get('/metrics', shield.metrics());
   */
  metrics(options?: MetricsOptions): RequestHandler;
  readonly shield: Shield;
}

/** Builds the core request; reads the body (within the byte cap) only when nothing parsed it before. */
function toShieldRequest(req: Request, options: Shield['options'], policy?: Policy): Promise<ShieldRequest> {
  return toShieldRequestFromNode(req, {
    path: req.path,
    method: req.method,
    // express.json() (or another parser) ran first: its limits applied; ours are checked on the value.
    parsedBody: req.body,
    ...bodyLimits((policy?.options ?? options).validation),
  });
}

function sendProblem(res: Response, decision: Decision): void {
  const problem = toProblem(decision);
  // A body we stopped reading is left on the socket: close it rather than drain megabytes.
  if (decision.status === 413) res.set('connection', 'close');
  res.status(decision.status).type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * Serves a core Web handler: under `app.use('/path', ...)` it answers below `req.baseUrl`; under a plain
 * `app.use(...)` below its own `path` option; on a route (`app.get`) it answers that route.
 */
function mountWebHandler<O extends { path: string }>(handler: WebHandler<O>): RequestHandler {
  return async (req, res, next) => {
    const basePath = req.baseUrl || (req.route ? req.path : handler.options.path);
    const path = req.originalUrl.split('?')[0]!;
    if (path !== basePath && !path.startsWith(basePath === '/' ? '/' : `${basePath}/`)) {
      next();
      return;
    }
    let request: globalThis.Request;
    try {
      request = webRequestFromNode(req, req.originalUrl);
    } catch {
      res.status(400).end();
      return;
    }
    const response = await handler(request, {
      basePath,
      ...(req.aiShield?.identity ? { identity: req.aiShield.identity } : {}),
      ...(req.socket.remoteAddress ? { socketIp: req.socket.remoteAddress } : {}),
    });
    const { status, headers, body } = await webResponseParts(response);
    res.status(status);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.end(body);
  };
}

/**
 * Protects an Express app or router.
 * @example
 * import express from 'express';
 * import { aiShield } from '@ai-shield/express';
 * const app = express();
 * app.use(aiShield());
 */
export function aiShield(options: ExpressShieldOptions = {}): AiShieldMiddleware {
  const shield = createShield({ ...options, env: options.env ?? process.env });

  async function handle(req: Request, res: Response, next: NextFunction, policy?: Policy): Promise<void> {
    const outer = req.aiShield;
    let request: ShieldRequest;
    try {
      request = await toShieldRequest(req, shield.options, policy);
    } catch {
      // The client went away mid-body or the stream broke: nobody to answer, nothing to pass on.
      if (!res.headersSent && !req.destroyed) res.status(400).end();
      return;
    }
    const decision = await shield.protect(request, {
      ...(policy ? { policy } : {}),
      ...(outer ? { outer } : {}),
    });
    res.set(decision.headers);
    if (isDenied(decision)) {
      sendProblem(res, decision);
      return;
    }
    req.aiShield = outer ? mergeDecisions(outer, decision) : decision;
    // The in-flight slot and the token reservation end with the response: finished, failed or abandoned.
    if (decision.lease || decision.budget) res.once('close', () => void shield.finish(decision));
    if ((policy ?? shield).options.output.enabled || req.aiShield.budget)
      guardResponse(shield, req, res, req.aiShield, policy);
    // Only when we consumed the stream: the handler would otherwise see no body at all.
    if (req.body === undefined && decision.body !== undefined) req.body = decision.body;
    next();
  }

  const middleware = ((req: Request, res: Response, next: NextFunction) =>
    handle(req, res, next)) as AiShieldMiddleware;
  Object.defineProperty(middleware, 'name', { value: 'aiShield' });
  Object.defineProperty(middleware, 'shield', { value: shield });
  middleware.route = (overrides) => {
    const policy = shield.policy(overrides);
    return (req, res, next) => handle(req, res, next, policy);
  };
  middleware.dashboard = (dashboardOptions) =>
    mountWebHandler(createDashboardHandler(shield, dashboardOptions));
  middleware.metrics = (metricsOptions) => mountWebHandler(createMetricsHandler(shield, metricsOptions));
  return middleware;
}

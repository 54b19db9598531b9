/**
 * `AiShieldDashboardModule`: the security dashboard and the Prometheus `/metrics` endpoint on Nest
 * (platform-express and platform-fastify), serving the core's Web handlers. They are outside
 * `AiShieldGuard`, so their own polling is neither rate-limited nor counted; the dashboard checks its
 * token or role itself.
 * @module
 */
import {
  createDashboardHandler,
  createMetricsHandler,
  type DashboardOptions,
  type HandlerContext,
  type MetricsOptions,
  type Shield,
  type WebHandler,
} from '@ai-shield/core';
import { webRequestFromNode, webResponseParts } from '@ai-shield/core/node';
import { type DynamicModule, Inject, Module, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AI_SHIELD } from './ai-shield.constants.js';
import { type HttpRequestLike, type HttpResponseLike, nodeRequestOf } from './http.js';

type Endpoint = WebHandler<{ path: string }>;
/** The endpoints of one `forRoot` call, built once the shield is injected. */
type EndpointFactory = (shield: Shield) => Endpoint;
const AI_SHIELD_ENDPOINTS = Symbol('AI_SHIELD_ENDPOINTS');

export interface AiShieldDashboardModuleOptions {
  /** The dashboard (`token` or `role` required); mounted at its `path` (default `/ai-shield`). */
  dashboard?: DashboardOptions;
  /** `true` or options: Prometheus text at `path` (default `/metrics`), optionally behind a `token`. */
  metrics?: MetricsOptions | boolean;
}

/** Serves one Web handler for an Express `req`/`res` or a Fastify `request`/`reply` (same methods). */
async function serve(handler: Endpoint, req: HttpRequestLike, res: HttpResponseLike): Promise<void> {
  const message = nodeRequestOf(req);
  const context: HandlerContext = {
    basePath: handler.options.path,
    ...(req.aiShield?.identity ? { identity: req.aiShield.identity } : {}),
    ...(message.socket?.remoteAddress ? { socketIp: message.socket.remoteAddress } : {}),
  };
  let request: Request;
  try {
    request = webRequestFromNode(message, req.originalUrl ?? req.url);
  } catch {
    res.status(400);
    res.send('');
    return;
  }
  const { status, headers, body } = await webResponseParts(await handler(request, context));
  res.status(status);
  for (const [name, value] of headers) res.header(name, value);
  res.send(body);
}

/**
 * The dashboard and `/metrics` for a Nest app that imports `AiShieldModule`. Options are validated
 * here, when the module is declared (a dashboard without `token` or `role` throws `AiShieldConfigError`).
 * The endpoints are routes of the HTTP platform itself (registered after the app's routes, before its
 * 404 handler), because Express and Fastify spell "this path and everything below it" differently.
 * @example
 * @Module({
 *   imports: [
 *     AiShieldModule.forRoot(options),
 *     AiShieldDashboardModule.forRoot({ dashboard: { token: process.env.AI_SHIELD_DASHBOARD_TOKEN }, metrics: true }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class AiShieldDashboardModule implements OnModuleInit {
  constructor(
    @Inject(AI_SHIELD) private readonly shield: Shield,
    @Inject(AI_SHIELD_ENDPOINTS) private readonly endpoints: EndpointFactory[],
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  static forRoot(options: AiShieldDashboardModuleOptions): DynamicModule {
    const endpoints: EndpointFactory[] = [];
    const check = () => {
      throw new Error('not used while validating');
    };
    if (options.dashboard) {
      const dashboard = options.dashboard;
      createDashboardHandler(check, dashboard); // validates now, at startup
      endpoints.push((shield) => createDashboardHandler(shield, dashboard));
    }
    if (options.metrics) {
      const metrics = options.metrics === true ? {} : options.metrics;
      createMetricsHandler(check, metrics);
      endpoints.push((shield) => createMetricsHandler(shield, metrics));
    }
    return {
      module: AiShieldDashboardModule,
      providers: [{ provide: AI_SHIELD_ENDPOINTS, useValue: endpoints }],
    };
  }

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) return; // a microservice or a standalone application context
    const fastify = adapter.getType() === 'fastify';
    for (const build of this.endpoints) {
      const handler = build(this.shield);
      const path = handler.options.path;
      const route = (req: HttpRequestLike, res: HttpResponseLike) => serve(handler, req, res);
      adapter.all(path, route);
      if (path !== '/') adapter.all(fastify ? `${path}/*` : `${path}/*rest`, route);
    }
  }
}

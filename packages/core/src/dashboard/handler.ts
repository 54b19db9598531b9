/**
 * The dashboard and `/metrics` as Web-standard handlers, `(Request) => Promise<Response>`: they run on
 * Node, Bun, Deno and Workers, and each adapter mounts them in its own idiom. Neither throws: a failure
 * becomes a problem+json 500 without internals.
 * @module
 */
import type { z } from 'zod';
import { AiShieldConfigError } from '../errors.js';
import type { Shield } from '../shield.js';
import { PROMETHEUS_CONTENT_TYPE } from '../telemetry/prometheus.js';
import { type Authorizer, createAuthorizer, type HandlerContext } from './auth.js';
import {
  type DashboardOptions,
  dashboardOptionsSchema,
  type MetricsOptions,
  metricsOptionsSchema,
  type ResolvedDashboardOptions,
  type ResolvedMetricsOptions,
} from './options.js';
import { type DashboardPage, renderDashboardPage } from './page.js';

export type { HandlerContext } from './auth.js';

/** A Web handler with the options it was built with (adapters read `options.path`). */
export interface WebHandler<O> {
  (request: Request, context?: HandlerContext): Promise<Response>;
  readonly options: O;
}

export type DashboardHandler = WebHandler<ResolvedDashboardOptions>;
export type MetricsHandler = WebHandler<ResolvedMetricsOptions>;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new AiShieldConfigError(
    parsed.error.issues.map((issue) => {
      const where = [what, ...issue.path.map(String)].join('.');
      return issue.code === 'unrecognized_keys'
        ? `${where}: unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')}`
        : `${where}: ${issue.message}`;
    }),
  );
}

function problem(status: number, title: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status }), {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/problem+json', ...headers },
  });
}

const methodNotAllowed = () => problem(405, 'Method Not Allowed', { allow: 'GET, HEAD' });

/**
 * The shield, or a getter for one: adapters that build the shield on the first request (Hono, for
 * Workers' global scope) pass a getter, so creating a handler does no work either.
 */
const lazyShield = (shield: Shield | (() => Shield)): (() => Shield) =>
  typeof shield === 'function' ? shield : () => shield;

/** The request's path below `basePath`, or undefined when it is not under it. */
function subPath(request: Request, basePath: string): string | undefined {
  const { pathname } = new URL(request.url);
  if (basePath === '/') return pathname;
  if (pathname === basePath) return '';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : undefined;
}

/** Fails closed: an authorizer that throws (a broken JWKS, a bug) refuses, never lets through. */
async function refusal(authorizer: Authorizer, request: Request, context: HandlerContext) {
  try {
    const result = await authorizer.authorize(request, context);
    return result.ok
      ? undefined
      : problem(result.status, result.status === 401 ? 'Unauthorized' : 'Forbidden', result.headers);
  } catch {
    return problem(503, 'Authentication is temporarily unavailable');
  }
}

/**
 * The dashboard: `GET <path>/` is the page (no data, no auth needed), `GET <path>/api/summary` its data
 * (401 without the token or role). Options are validated here; a missing `token` and `role` throws.
 * @example
 * const dashboard = createDashboardHandler(shield, { token: env.AI_SHIELD_DASHBOARD_TOKEN });
 * export default { fetch: (request) => dashboard(request) }; // serves /ai-shield/
 */
export function createDashboardHandler(
  shieldOrGetter: Shield | (() => Shield),
  input: DashboardOptions,
): DashboardHandler {
  const options = parseOptions(dashboardOptionsSchema, input, 'dashboard');
  const shield = lazyShield(shieldOrGetter);
  const authorizer = createAuthorizer(shield, options, 'dashboard');
  let page: DashboardPage | undefined;

  async function handle(request: Request, context: HandlerContext = {}): Promise<Response> {
    try {
      const basePath = context.basePath || options.path;
      const sub = subPath(request, basePath);
      if (sub === undefined) return problem(404, 'Not Found');
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
      // Relative links (api/summary) resolve against the page's URL, which must end in "/".
      if (sub === '') {
        const location = `${basePath === '/' ? '' : basePath}/`;
        return new Response(null, { status: 308, headers: { ...SECURITY_HEADERS, location } });
      }
      if (sub === '/' || sub === '/index.html') {
        page ??= renderDashboardPage(options);
        return new Response(request.method === 'HEAD' ? null : page.html, {
          headers: {
            ...SECURITY_HEADERS,
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': page.csp,
          },
        });
      }
      if (sub !== '/api/summary') return problem(404, 'Not Found');
      const refused = await refusal(authorizer, request, context);
      if (refused) return refused;
      const snapshot = shield().telemetry.snapshot({ incidentDetails: options.incidentDetails });
      let summary: unknown = null;
      let summaryError: string | undefined;
      try {
        summary = await shield().getIncidentSummary({ hours: options.summaryHours });
      } catch {
        summaryError = 'The incident store did not answer';
      }
      const body = JSON.stringify({ ...snapshot, summary, ...(summaryError ? { summaryError } : {}) });
      return new Response(request.method === 'HEAD' ? null : body, {
        headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' },
      });
    } catch {
      return problem(500, 'Internal Server Error');
    }
  }
  return Object.assign(handle, { options });
}

/**
 * Prometheus text exposition of the shield's counters (`GET <path>`). With `token`, scrapes must send
 * `Authorization: Bearer <token>`.
 * @example
 * const metrics = createMetricsHandler(shield);
 * if (new URL(request.url).pathname === '/metrics') return metrics(request);
 */
export function createMetricsHandler(
  shieldOrGetter: Shield | (() => Shield),
  input: MetricsOptions = {},
): MetricsHandler {
  const options = parseOptions(metricsOptionsSchema, input, 'metrics');
  const shield = lazyShield(shieldOrGetter);
  const authorizer = options.token
    ? createAuthorizer(shield, { token: options.token }, 'metrics')
    : undefined;

  async function handle(request: Request, context: HandlerContext = {}): Promise<Response> {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed();
      if (authorizer) {
        const refused = await refusal(authorizer, request, context);
        if (refused) return refused;
      }
      return new Response(request.method === 'HEAD' ? null : shield().telemetry.prometheus(), {
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' },
      });
    } catch {
      return problem(500, 'Internal Server Error');
    }
  }
  return Object.assign(handle, { options });
}

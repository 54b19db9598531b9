/**
 * Options of the dashboard and `/metrics` handlers, validated once when the handler is created.
 * @module
 */
import { z } from 'zod';

const token = z
  .string()
  .min(16, 'use at least 16 characters (e.g. `openssl rand -hex 32`)')
  .regex(
    /^[A-Za-z0-9._~+/=-]+$/,
    'use only the characters of an RFC 6750 bearer token (A-Z a-z 0-9 . _ ~ + / = -)',
  );

const mountPath = z
  .string()
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'expected a path starting with "/", e.g. "/ai-shield"')
  .transform((path) => (path.length > 1 ? path.replace(/\/+$/, '') : path));

export const dashboardOptionsSchema = z
  .strictObject({
    /** Bearer token that opens the dashboard (compared in constant time). */
    token: token.optional(),
    /** Or: a role the caller's identity must hold (JWT / API key through the shield's `access` options). */
    role: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Where adapters mount it. Default `/ai-shield` (the page is then at `/ai-shield/`). */
    path: mountPath.default('/ai-shield'),
    /** How often the page polls for new data. */
    refreshMs: z.number().int().min(500).max(60_000).default(2_000),
    /** Window of the incident summary and its recommendations, in hours. */
    summaryHours: z.number().min(1).max(168).default(24),
    /**
     * Show the `details` applications attach to incidents (`logIncident`), with secrets redacted. Off by
     * default: details are the application's free-form data. Request bodies and prompts are never shown.
     */
    incidentDetails: z.boolean().default(false),
    /** Page title. */
    title: z.string().min(1).max(120).default('AI Shield'),
  })
  .refine((options) => options.token !== undefined || options.role !== undefined, {
    message:
      "the dashboard needs `token` (a bearer token of 16+ characters) or `role` (checked through the shield's access options): it never serves data without authentication",
  });

export type DashboardOptions = z.input<typeof dashboardOptionsSchema>;
export type ResolvedDashboardOptions = z.output<typeof dashboardOptionsSchema>;

export const metricsOptionsSchema = z.strictObject({
  /** Bearer token Prometheus must send (`authorization` / `bearer_token` in its scrape config). Default: none. */
  token: token.optional(),
  /** Where adapters mount it. Default `/metrics`. */
  path: mountPath.default('/metrics'),
});

export type MetricsOptions = z.input<typeof metricsOptionsSchema>;
export type ResolvedMetricsOptions = z.output<typeof metricsOptionsSchema>;

/**
 * Options of the in-process telemetry (mounted as `telemetry` in the shield's options): the counters
 * behind the dashboard and `/metrics`, and the OpenTelemetry bridge.
 * @module
 */
import { z } from 'zod';

export const telemetryOptionsSchema = z.strictObject({
  /**
   * Keep in-process counters of every decision and response check (fixed-size: a per-second ring for the
   * last hour, fixed histogram buckets, capped top-k tables). They feed `shield.telemetry`, the dashboard
   * and the Prometheus handler. Default true.
   */
  enabled: z.boolean().default(true),
  /**
   * Emit spans and metrics through `@opentelemetry/api` when the application registered an SDK. Without
   * one nothing is built per request. Default true.
   */
  otel: z.boolean().default(true),
  /** Clients and identities tracked for "top blocked" (space-saving; counts may overestimate by `error`). */
  topK: z.number().int().min(1).max(1000).default(50),
  /** Recent incidents kept for the dashboard. */
  recentIncidents: z.number().int().min(1).max(1000).default(50),
});

export type TelemetryOptions = z.output<typeof telemetryOptionsSchema>;

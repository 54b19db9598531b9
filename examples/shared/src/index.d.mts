import type { DashboardOptions, MetricsOptions, ShieldOptions } from '@ai-shield/core';

export interface ChatMessage {
  role: string;
  content: unknown;
}

/** Chat stand-in: a fixed template echoing part of the last user message. */
export function chatModel(messages: ChatMessage[]): Record<string, unknown>;
/** Prediction stand-in: a fixed linear model with a logistic output. */
export function predictModel(input: number[] | number[][]): Record<string, unknown>;
/** The shield options every example uses. */
export function exampleShieldOptions(
  modelName: string,
  env?: Record<string, string | undefined>,
): ShieldOptions;
/** Demo-only headers showing the shield's decision (`x-ai-shield-action`, `x-ai-shield-reason`). */
export function decisionDebugHeaders(
  decision: { action: string; reasons: string[] } | undefined,
): Record<string, string>;
/**
 * The dashboard (when AI_SHIELD_DASHBOARD_TOKEN is set) and /metrics (when AI_SHIELD_METRICS=1) options,
 * each with the `path` the app mounts it at.
 */
export function exampleEndpoints(env?: Record<string, string | undefined>): {
  dashboard?: DashboardOptions & { path: string };
  metrics?: MetricsOptions & { path: string };
};

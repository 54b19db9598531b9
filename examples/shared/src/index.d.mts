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

/** What `/v1/chat` calls: the stand-in model, or an OpenAI-compatible server (AI_SHIELD_UPSTREAM_URL). */
export interface ChatBackend {
  kind: 'stand-in' | 'upstream';
  /** A chat completion (with `usage`). */
  complete(body: { messages: ChatMessage[]; [key: string]: unknown }, signal?: AbortSignal): Promise<unknown>;
  /** The answer as OpenAI stream events (`data: ...\n\n`), ending with a `usage` chunk and `[DONE]`. */
  stream(
    body: { messages: ChatMessage[]; [key: string]: unknown },
    signal?: AbortSignal,
  ): AsyncIterable<string>;
}
/** The chat backend for this environment (see examples/shared/src/chat.mjs). */
export function createChatBackend(env?: Record<string, string | undefined>): ChatBackend;
/** `/v1/chat` as a Web Response: JSON, or `text/event-stream` with `stream: true`. */
export function chatResponse(
  backend: ChatBackend,
  body: { messages: ChatMessage[]; [key: string]: unknown },
  signal?: AbortSignal,
): Promise<Response>;
/** The stand-in's complete answer, with `usage`. */
export function standInCompletion(body: { messages: ChatMessage[] }): Record<string, unknown>;
/** The stand-in's answer as OpenAI stream events, word by word. */
export function standInStream(
  body: { messages: ChatMessage[] },
  options?: { delayMs?: number; signal?: AbortSignal },
): AsyncIterable<string>;

/**
 * The chat backend of every example: the deterministic stand-in model, or, when AI_SHIELD_UPSTREAM_URL
 * names an OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp, LiteLLM, ...), that server through
 * the official `openai` client. Either way `/v1/chat` answers in OpenAI's shapes: a chat completion, or
 * with `stream: true` Server-Sent Events (`chat.completion.chunk` deltas, then a `usage` chunk, then
 * `[DONE]`), so the shield's budgets, concurrency caps and streaming output checks see what a
 * production endpoint sends.
 */
import { estimateTokens } from '@ai-shield/core';
import { chatModel } from './models.mjs';

const event = (payload) => `data: ${JSON.stringify(payload)}\n\n`;

/** The stand-in's answer as OpenAI stream events, word by word, with a final `usage` chunk. */
export async function* standInStream(body, { delayMs = 0, signal } = {}) {
  const answer = chatModel(body.messages ?? []);
  const text = answer.choices[0].message.content;
  const base = { id: 'chatcmpl-demo', object: 'chat.completion.chunk', created: 0, model: answer.model };
  yield event({
    ...base,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
  const words = text.match(/\S+\s*/g) ?? [];
  for (const word of words) {
    if (signal?.aborted) return;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield event({ ...base, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] });
  }
  yield event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
  yield event({ ...base, choices: [], usage: usageOf(body, words.length) });
  yield 'data: [DONE]\n\n';
}

/** The stand-in's complete answer, with `usage` as a model server reports it. */
export function standInCompletion(body) {
  const answer = chatModel(body.messages ?? []);
  const words = answer.choices[0].message.content.match(/\S+\s*/g) ?? [];
  return { ...answer, usage: usageOf(body, words.length) };
}

function usageOf(body, completionTokens) {
  const prompt = (body.messages ?? [])
    .map((message) => (typeof message.content === 'string' ? message.content : ''))
    .join('\n');
  const promptTokens = estimateTokens(prompt) + 3 * (body.messages?.length ?? 0) + 3;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/**
 * The chat backend for this environment.
 * - `AI_SHIELD_UPSTREAM_URL`: base URL of an OpenAI-compatible API (e.g. `http://127.0.0.1:11434/v1`);
 *   without it the stand-in answers.
 * - `AI_SHIELD_UPSTREAM_API_KEY`: its key (default `not-needed`, for local servers).
 * - `AI_SHIELD_UPSTREAM_MODEL`: the model to ask for (default: the request's `model`, else `gpt-4o-mini`).
 * - `AI_SHIELD_STREAM_DELAY_MS`: the stand-in's pause between words (default 0).
 * @param {Record<string, string | undefined>} env
 */
export function createChatBackend(env = globalThis.process?.env ?? {}) {
  const url = env.AI_SHIELD_UPSTREAM_URL;
  if (!url) {
    const delayMs = Number(env.AI_SHIELD_STREAM_DELAY_MS ?? 0) || 0;
    return {
      kind: 'stand-in',
      complete: async (body) => standInCompletion(body),
      stream: (body, signal) => standInStream(body, { delayMs, ...(signal ? { signal } : {}) }),
    };
  }
  let client;
  // Loaded on first use: apps without an upstream never load the client.
  const openai = async () => {
    if (!client) {
      const { default: OpenAI } = await import('openai');
      client = new OpenAI({
        baseURL: url,
        apiKey: env.AI_SHIELD_UPSTREAM_API_KEY || 'not-needed',
        maxRetries: 1,
      });
    }
    return client;
  };
  // Only what the shield validated is forwarded (chatSchema's fields), never the raw body.
  const request = (body) => ({
    model: env.AI_SHIELD_UPSTREAM_MODEL || body.model || 'gpt-4o-mini',
    messages: body.messages,
    ...(body.max_tokens !== undefined ? { max_tokens: body.max_tokens } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
  });
  return {
    kind: 'upstream',
    async complete(body, signal) {
      return (await openai()).chat.completions.create(request(body), signal ? { signal } : undefined);
    },
    async *stream(body, signal) {
      const stream = await (await openai()).chat.completions.create(
        { ...request(body), stream: true, stream_options: { include_usage: true } },
        signal ? { signal } : undefined,
      );
      for await (const chunk of stream) yield event(chunk);
      yield 'data: [DONE]\n\n';
    },
  };
}

/**
 * `/v1/chat` as a Web `Response` (Hono, Workers): the completion as JSON, or with `stream: true` the
 * events as `text/event-stream`. `signal` stops asking the model when the client goes away.
 */
export async function chatResponse(backend, body, signal) {
  if (body.stream !== true) {
    return new Response(JSON.stringify(await backend.complete(body, signal)), {
      headers: { 'content-type': 'application/json' },
    });
  }
  const encoder = new TextEncoder();
  const events = backend.stream(body, signal)[Symbol.asyncIterator]();
  const stream = new ReadableStream({
    async pull(controller) {
      const { value, done } = await events.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await events.return?.();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
}

/**
 * The example's /v1/chat as a production endpoint: OpenAI's SSE chunks with `stream: true`, PII masked
 * in the stream, token budgets and in-flight caps from AI_SHIELD_TOKEN_BUDGET / AI_SHIELD_MAX_CONCURRENT,
 * and AI_SHIELD_UPSTREAM_URL forwarding to a real local OpenAI-compatible server through the openai client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiCompatibleServer } from '../../shared/test/openai-server.js';
// @ts-expect-error: the example is plain JavaScript
import { createApp } from '../src/app.mjs';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function start(env: Record<string, string>): Promise<string> {
  const app = createApp({ env: { ...env }, audit: { enabled: false }, rate: { minIntervalMs: 0 } });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ messages: [{ role: 'user', content }], ...extra }),
});

function events(raw: string) {
  return raw
    .split('\n\n')
    .filter((event) => event.startsWith('data: {'))
    .map((event) => JSON.parse(event.slice(6)));
}
const textOf = (chunks: Array<{ choices?: Array<{ delta?: { content?: string } }> }>) =>
  chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');

describe('express-chat /v1/chat', () => {
  let upstream: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
  beforeAll(async () => {
    upstream = await startOpenAiCompatibleServer();
  });
  afterAll(() => new Promise<void>((resolve) => upstream.server.close(() => resolve())));

  it('streams the stand-in word by word with the e-mail address masked, usage chunk and [DONE]', async () => {
    const url = await start({});
    const res = await fetch(
      `${url}/v1/chat`,
      ask('Please write to jane.doe@example.com today', { stream: true }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    const chunks = events(raw);
    const text = textOf(chunks);
    expect(text).toMatch(/^You asked \(\d+ chars\): "Please write to /);
    expect(text).not.toContain('jane.doe@example.com');
    expect(chunks.at(-1).usage.completion_tokens).toBeGreaterThan(3);
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('AI_SHIELD_TOKEN_BUDGET: a client over its tokens per minute gets 429 naming the budget', async () => {
    const url = await start({ AI_SHIELD_TOKEN_BUDGET: '1500', AI_SHIELD_TOKENIZER: 'estimate' });
    const first = await fetch(`${url}/v1/chat`, ask('Name a prime number.', { max_tokens: 1000 }));
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    // Settled on the answer's usage: a few tokens used, 1,000 more would fit; 1,490 does not.
    const second = await fetch(`${url}/v1/chat`, ask('Another one?', { max_tokens: 1000, stream: true }));
    expect(second.status).toBe(200);
    await second.arrayBuffer();
    const refused = await fetch(`${url}/v1/chat`, ask('And one more?', { max_tokens: 1490 }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await refused.json()).detail).toContain('1500 tokens per minute per client');
  });

  it('AI_SHIELD_MAX_CONCURRENT: a second stream at once is refused until the first is over', async () => {
    const url = await start({ AI_SHIELD_MAX_CONCURRENT: '1', AI_SHIELD_STREAM_DELAY_MS: '20' });
    const streaming = await fetch(`${url}/v1/chat`, ask('Tell me about the sea, please.', { stream: true }));
    expect(streaming.status).toBe(200);
    const refused = await fetch(`${url}/v1/chat`, ask('Me too.'));
    expect(refused.status).toBe(429);
    expect((await refused.json()).code).toBe('ERR_RATE_CONCURRENCY');
    await streaming.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${url}/v1/chat`, ask('Now?'))).status).toBe(200);
  });

  it('AI_SHIELD_UPSTREAM_URL: answers come from the OpenAI-compatible server, streamed and not, still masked', async () => {
    const url = await start({ AI_SHIELD_UPSTREAM_URL: upstream.url, AI_SHIELD_TOKEN_BUDGET: '100000' });
    const json = await fetch(
      `${url}/v1/chat`,
      ask('mail me at john.roe@example.org', { model: 'local-llm' }),
    );
    expect(json.status).toBe(200);
    const answer = await json.json();
    expect(answer.id).toBe('chatcmpl-up');
    expect(answer.choices[0].message.content).toMatch(/^Upstream says: mail me at /);
    expect(answer.choices[0].message.content).not.toContain('john.roe@example.org');
    expect(upstream.seen.at(-1)!.body.model).toBe('local-llm');
    expect(upstream.seen.at(-1)!.body.stream).toBeUndefined();

    const streamed = await fetch(`${url}/v1/chat`, ask('mail me at john.roe@example.org', { stream: true }));
    expect(streamed.status).toBe(200);
    const raw = await streamed.text();
    const text = textOf(events(raw));
    expect(text).toMatch(/^Upstream says: mail me at /);
    expect(text).not.toContain('john.roe@example.org');
    expect(upstream.seen.at(-1)!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});

/**
 * The examples' chat backend against a real local OpenAI-compatible HTTP server (a tiny chat completions
 * API, streaming and not, started here): the official `openai` client is what talks to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatBackend, standInStream } from '../src/chat.mjs';
import { startOpenAiCompatibleServer } from './openai-server.js';

const parse = (events: string[]) =>
  events
    .join('')
    .split('\n\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice(6)));

describe('chat backend', () => {
  let upstream: Awaited<ReturnType<typeof startOpenAiCompatibleServer>>;
  beforeAll(async () => {
    upstream = await startOpenAiCompatibleServer();
  });
  afterAll(() => new Promise<void>((resolve) => upstream.server.close(() => resolve())));

  it('the stand-in streams word by word in OpenAI chunks, with usage before [DONE]', async () => {
    const events: string[] = [];
    for await (const event of standInStream({ messages: [{ role: 'user', content: 'hello big world' }] })) {
      events.push(event);
    }
    expect(events.at(-1)).toBe('data: [DONE]\n\n');
    const chunks = parse(events);
    expect(chunks.at(-1).usage).toMatchObject({
      completion_tokens: expect.any(Number),
      prompt_tokens: expect.any(Number),
    });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('You asked (15 chars): "hello big world"');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta?.content).length).toBeGreaterThan(3);
  });

  it('forwards through the openai client to an OpenAI-compatible server, not streaming', async () => {
    const backend = createChatBackend({
      AI_SHIELD_UPSTREAM_URL: upstream.url,
      AI_SHIELD_UPSTREAM_API_KEY: 'sk-local',
    });
    expect(backend.kind).toBe('upstream');
    const answer = (await backend.complete({
      model: 'local-model',
      messages: [{ role: 'user', content: 'hi there' }],
      max_tokens: 20,
      ignored: 'not forwarded',
    })) as { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number } };
    expect(answer.choices[0]!.message.content).toBe('Upstream says: hi there');
    expect(answer.usage.prompt_tokens).toBe(11);
    const request = upstream.seen.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-local');
    expect(request.body).toEqual({
      model: 'local-model',
      messages: [{ role: 'user', content: 'hi there' }],
      max_tokens: 20,
    });
  });

  it('forwards streams, asking for the usage chunk', async () => {
    const backend = createChatBackend({
      AI_SHIELD_UPSTREAM_URL: upstream.url,
      AI_SHIELD_UPSTREAM_MODEL: 'pinned',
    });
    const events: string[] = [];
    for await (const event of backend.stream({ messages: [{ role: 'user', content: 'one two three' }] }))
      events.push(event);
    expect(upstream.seen.at(-1)!.body).toMatchObject({
      model: 'pinned',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(events.at(-1)).toBe('data: [DONE]\n\n');
    const chunks = parse(events);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe(
      'Upstream says: one two three',
    );
    expect(chunks.at(-1).usage.prompt_tokens).toBe(11);
  });
});

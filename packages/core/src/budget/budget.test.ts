import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemorySink } from '../audit/memory-sink.js';
import { optionsFromEnv } from '../config/env.js';
import type { ShieldOptions, ShieldRequest } from '../index.js';
import { createShield, isDenied, toProblem } from '../shield.js';
import { createSpendTracker } from './spend.js';
import { createMemoryBudgetStore } from './store.js';
import { estimateTokens, readPrompt } from './tokens.js';
import { usageOf } from './usage.js';

const chat = (content: string, extra: Record<string, unknown> = {}, ip = '203.0.113.9'): ShieldRequest => ({
  method: 'POST',
  path: '/v1/chat',
  headers: { 'content-type': 'application/json' },
  socketIp: ip,
  bodyText: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content }], ...extra }),
});

const shieldWith = (extra: ShieldOptions) =>
  createShield({
    env: false,
    rate: { minIntervalMs: 0 },
    audit: { enabled: false },
    ...extra,
  } as ShieldOptions);

async function drain(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
  return text;
}

function sse(events: unknown[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const event of events) {
        controller.enqueue(
          encoder.encode(event === '[DONE]' ? 'data: [DONE]\n\n' : `data: ${JSON.stringify(event)}\n\n`),
        );
      }
      controller.close();
    },
  });
}

const delta = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

describe('token budgets', () => {
  it('refuses with 429, Retry-After and a problem naming the budget once the reservations use it up', async () => {
    const shield = shieldWith({
      budget: { perClient: { tokens: 1000, durationSec: 60 }, tokenizer: 'estimate' },
    });
    const first = await shield.protect(chat('hello there', { max_tokens: 600 }));
    expect(first.action).toBe('allow');
    expect(first.budget).toMatchObject({ reservedOutput: 600 });
    expect(first.budget!.settled).toBeUndefined();
    expect(first.budget!.input).toBeGreaterThan(0);
    const second = await shield.protect(chat('hello again', { max_tokens: 600 }));
    expect(second.status).toBe(429);
    expect(second.code).toBe('ERR_RATE_TOKEN_BUDGET');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    const problem = toProblem(second);
    expect(problem.detail).toContain('1000 tokens per minute per client');
    expect(problem.detail).toMatch(/needs \d+ tokens, \d+ left/);
    // Another client has its own budget.
    expect((await shield.protect(chat('hi', { max_tokens: 600 }, '203.0.113.10'))).action).toBe('allow');
  });

  it('settles from the response usage: what was reserved but not used is given back', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 1000 }, tokenizer: 'estimate' } });
    const first = await shield.protect(chat('hello there', { max_tokens: 600 }));
    shield.checkResponse(
      {
        status: 200,
        body: {
          choices: [{ message: { content: 'Hi' } }],
          usage: { prompt_tokens: 12, completion_tokens: 8 },
        },
      },
      first,
    );
    await shield.finish(first);
    expect(first.budget).toMatchObject({ input: 12, output: 8, settled: true });
    // 20 used of 1000: a second 600-token reservation fits now.
    expect((await shield.protect(chat('hello again', { max_tokens: 600 }))).action).toBe('allow');
  });

  it('counts the answer when a response reports no usage, and refunds an error answer', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 1000 }, tokenizer: 'estimate' } });
    const ok = await shield.protect(chat('x', { max_tokens: 500 }));
    shield.checkResponse({ status: 200, body: { choices: [{ message: { content: 'a'.repeat(400) } }] } }, ok);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ok.budget).toMatchObject({ output: 100, settled: true });
    const failed = await shield.protect(chat('x', { max_tokens: 500 }));
    shield.checkResponse({ status: 502, body: { error: 'upstream down' } }, failed);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failed.budget).toMatchObject({ output: 0, settled: true });
  });

  it('charges identities (API keys per key id) on top of clients, over several windows', async () => {
    const shield = shieldWith({
      budget: {
        perIdentity: [
          { tokens: 100_000, durationSec: 60 },
          { tokens: 700, durationSec: 86_400 },
        ],
        tokenizer: 'estimate',
      },
    });
    const asUser = (ip: string) => ({
      ...chat('hi', { max_tokens: 400 }, ip),
      identity: { id: 'u1', kind: 'custom' },
    });
    expect((await shield.protect(asUser('198.51.100.1'))).action).toBe('allow');
    const refused = await shield.protect(asUser('198.51.100.2'));
    expect(refused.code).toBe('ERR_RATE_TOKEN_BUDGET');
    expect(refused.reasons[0]).toContain('700 tokens per day per identity');
  });

  it('a request larger than the whole budget is told so', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 100 }, tokenizer: 'estimate' } });
    const refused = await shield.protect(chat('hi', { max_tokens: 500 }));
    expect(refused.reasons[0]).toContain('more than the whole budget');
  });

  it('monitor mode records a refusal but reserves nothing', async () => {
    const shield = shieldWith({
      mode: 'monitor',
      budget: { perClient: { tokens: 100 }, tokenizer: 'estimate' },
    });
    const decision = await shield.protect(chat('hi', { max_tokens: 500 }));
    expect(decision.action).toBe('block');
    expect(isDenied(decision)).toBe(false);
    expect(decision.budget).toBeUndefined();
  });

  it('counts input with the real o200k tokenizer by default', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 100_000 } } });
    const decision = await shield.protect(
      chat('The quick brown fox jumps over the lazy dog.', { max_tokens: 10 }),
    );
    // 10 tokens of text + 3 per message + 3 to prime the reply.
    expect(decision.budget!.input).toBe(16);
  });
});

describe('max_tokens and context caps', () => {
  it('refuses max_tokens above the cap with 422, or clamps it', async () => {
    const refuse = shieldWith({ budget: { maxOutputTokens: 256, tokenizer: 'estimate' } });
    const refused = await refuse.protect(chat('hi', { max_tokens: 4000 }));
    expect(refused.status).toBe(422);
    expect(refused.code).toBe('ERR_VALIDATION_MAX_TOKENS');
    expect((await refuse.protect(chat('hi', { max_tokens: 200 }))).action).toBe('allow');

    const clamp = shieldWith({
      budget: { maxOutputTokens: 256, onCapExceeded: 'clamp', tokenizer: 'estimate' },
    });
    const clamped = await clamp.protect(chat('hi', { max_completion_tokens: 4000 }));
    expect(clamped.action).toBe('allow');
    expect((clamped.body as { max_completion_tokens: number }).max_completion_tokens).toBe(256);
    expect(clamped.findings.map((f) => f.kind)).toContain('budget.max_tokens_clamped');
  });

  it('refuses a prompt above maxInputTokens with 413', async () => {
    const shield = shieldWith({ budget: { maxInputTokens: 50, tokenizer: 'estimate' } });
    const refused = await shield.protect(chat('word '.repeat(100)));
    expect(refused.status).toBe(413);
    expect(refused.code).toBe('ERR_VALIDATION_CONTEXT_TOO_LARGE');
  });

  it('applies per route', async () => {
    const shield = shieldWith({
      budget: { tokenizer: 'estimate' },
      routes: { 'POST /v1/cheap': { budget: { maxOutputTokens: 10 } } },
    });
    expect((await shield.protect(chat('hi', { max_tokens: 100 }))).action).toBe('allow');
    expect((await shield.protect({ ...chat('hi', { max_tokens: 100 }), path: '/v1/cheap' })).status).toBe(
      422,
    );
  });
});

describe('concurrency caps', () => {
  it('holds a slot until finish() and refuses past the cap with 429', async () => {
    const shield = shieldWith({ concurrency: { perClient: 2 } });
    const a = await shield.protect(chat('a'));
    const b = await shield.protect(chat('b'));
    const c = await shield.protect(chat('c'));
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.code).toBe('ERR_RATE_CONCURRENCY');
    expect(c.headers['retry-after']).toBe('1');
    await shield.finish(a);
    await shield.finish(a); // idempotent: releases once
    expect((await shield.protect(chat('d'))).status).toBe(200);
    expect((await shield.protect(chat('e'))).status).toBe(429);
  });

  it('a budget refusal gives the slot back', async () => {
    const shield = shieldWith({
      concurrency: { perClient: 1 },
      budget: { perClient: { tokens: 10 }, tokenizer: 'estimate' },
    });
    expect((await shield.protect(chat('a', { max_tokens: 100 }))).code).toBe('ERR_RATE_TOKEN_BUDGET');
    expect((await shield.protect(chat('a', { max_tokens: 1 }))).status).toBe(200);
  });

  it('leases expire when nobody releases them', async () => {
    let clock = 1_000;
    const store = createMemoryBudgetStore({ now: () => clock });
    const slot = [{ key: 'k', limit: 1 }];
    expect((await store.acquire(slot, 'a', 5_000)).ok).toBe(true);
    expect((await store.acquire(slot, 'b', 5_000)).ok).toBe(false);
    clock += 5_001;
    expect((await store.acquire(slot, 'b', 5_000)).ok).toBe(true);
  });

  it('forgets clients whose leases expired without a release (bounded without a timer)', async () => {
    let clock = 0;
    const store = createMemoryBudgetStore({ now: () => clock });
    for (let i = 0; i < 1000; i++)
      await store.acquire([{ key: `client-${i}`, limit: 1 }], `lease-${i}`, 1_000);
    expect(store.leaseKeys).toBe(1000);
    clock += 2_000;
    // New traffic from other clients sweeps the stale keys as it arrives.
    for (let i = 0; i < 600; i++) await store.acquire([{ key: `new-${i}`, limit: 1 }], `new-${i}`, 60_000);
    expect(store.leaseKeys).toBeLessThan(700);
  });
});

describe('streams', () => {
  it('counts streamed deltas and settles on the final usage chunk', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 10_000 }, tokenizer: 'estimate' } });
    const decision = await shield.protect(chat('hi', { max_tokens: 100 }));
    const out = await drain(
      sse([
        delta('Hello '),
        delta('there'),
        { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2 } },
        '[DONE]',
      ]).pipeThrough(shield.createResponseStream('sse', decision)),
    );
    expect(out).toContain('Hello ');
    expect(out.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(decision.budget).toMatchObject({ input: 9, output: 2, settled: true });
  });

  it('cuts a stream that outgrows the budget with a final error event and [DONE]', async () => {
    const shield = shieldWith({
      budget: {
        perClient: { tokens: 120 },
        tokenizer: 'estimate',
        defaultOutputTokens: 20,
        streamStepTokens: 20,
      },
    });
    const decision = await shield.protect(chat('hi'));
    expect(decision.action).toBe('allow');
    const words = Array.from({ length: 200 }, (_, i) => delta(`word${i} `));
    const out = await drain(
      sse([...words, '[DONE]']).pipeThrough(shield.createResponseStream('sse', decision)),
    );
    const events = out.split('\n\n').filter(Boolean);
    expect(events.length).toBeLessThan(100);
    const last = events.at(-2)!;
    expect(JSON.parse(last.slice(6)).error.code).toBe('ERR_RATE_TOKEN_BUDGET');
    expect(events.at(-1)).toBe('data: [DONE]');
    // The budget is spent: the next request is refused.
    expect((await shield.protect(chat('hi'))).code).toBe('ERR_RATE_TOKEN_BUDGET');
  });

  it('streams checked event by event (Nest @Sse) are counted per event and settled by finish()', async () => {
    const shield = shieldWith({ budget: { perClient: { tokens: 10_000 }, tokenizer: 'estimate' } });
    const decision = await shield.protect(chat('hi', { max_tokens: 1000 }));
    const sse = { 'content-type': 'text/event-stream' };
    shield.checkResponse({ status: 200, headers: sse, body: 'abcdefgh' }, decision);
    shield.checkResponse({ status: 200, headers: sse, body: { text: 'abcd' } }, decision);
    // 'abcdefgh': 2 tokens; an object of the app's own counts as its JSON text ('{"text":"abcd"}'): 4.
    expect(decision.budget).toMatchObject({ output: 6, counted: true });
    expect(decision.budget!.settled).toBeUndefined();
    await shield.finish(decision);
    expect(decision.budget).toMatchObject({ output: 6, settled: true });
  });

  it('a client that goes away mid-stream settles on what was counted', async () => {
    const shield = shieldWith({
      budget: { perClient: { tokens: 10_000 }, tokenizer: 'estimate' },
      concurrency: { perClient: 1 },
    });
    const decision = await shield.protect(chat('hi', { max_tokens: 1000 }));
    const stream = shield.createResponseStream('sse', decision);
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    // The output filter holds back the tail of the text (PII split across chunks): send enough to release some.
    void writer.write(new TextEncoder().encode(`data: ${JSON.stringify(delta('abcdefgh '.repeat(40)))}\n\n`));
    await reader.read();
    await reader.cancel();
    await shield.finish(decision);
    expect(decision.budget!.settled).toBe(true);
    expect(decision.budget!.output).toBeGreaterThan(0);
    expect(decision.budget!.output).toBeLessThan(1000);
    expect(decision.lease?.released).toBe(true);
    expect((await shield.protect(chat('again'))).status).toBe(200);
  });
});

describe('network rules', () => {
  it('denies listed ranges and, with an allow list, everything else (IPv4 and IPv6)', async () => {
    const shield = shieldWith({ network: { allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.9.0.0/16'] } });
    const at = (ip: string) => shield.protect(chat('hi', {}, ip));
    expect((await at('10.1.2.3')).status).toBe(200);
    expect((await at('::ffff:10.1.2.3')).status).toBe(200);
    expect((await at('2001:db8:1::5')).status).toBe(200);
    const denied = await at('10.9.1.1');
    expect(denied.status).toBe(403);
    expect(denied.code).toBe('ERR_ACCESS_NETWORK_DENIED');
    expect((await at('192.0.2.1')).status).toBe(403);
    expect((await at('2001:db9::1')).status).toBe(403);
  });

  it('matches the address resolved through trustProxy, not a spoofable header', async () => {
    const trusting = shieldWith({ trustProxy: ['loopback'], network: { deny: ['198.51.100.0/24'] } });
    const viaProxy = {
      ...chat('hi', {}, '127.0.0.1'),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
    };
    expect((await trusting.protect(viaProxy)).status).toBe(403);
    const direct = shieldWith({ network: { deny: ['198.51.100.0/24'] } });
    expect((await direct.protect(viaProxy)).status).toBe(200);
  });

  it('rejects malformed ranges at factory time', () => {
    expect(() => shieldWith({ network: { allow: ['10.0.0.0/33'] } })).toThrow(/network\.allow\.0/);
  });
});

describe('parsing', () => {
  it('reads prompts and usage in the OpenAI and Anthropic shapes', () => {
    const anthropic = readPrompt(
      {
        model: 'claude',
        system: 'be brief',
        max_tokens: 50,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      },
      undefined,
    );
    expect(anthropic).toMatchObject({
      text: 'hi\nbe brief',
      messages: 1,
      maxOutput: { field: 'max_tokens', value: 50 },
      model: 'claude',
    });
    expect(readPrompt({ foo: 'bar' }, '{"foo":"bar"}')).toMatchObject({
      fallback: true,
      text: '{"foo":"bar"}',
    });
    expect(usageOf({ usage: { input_tokens: 5, cache_read_input_tokens: 2, output_tokens: 7 } })).toEqual({
      input: 7,
      output: 7,
    });
    expect(
      usageOf({ type: 'message_start', message: { usage: { input_tokens: 3, output_tokens: 1 } } }),
    ).toEqual({ input: 3, output: 1 });
    expect(
      usageOf({ type: 'response.completed', response: { usage: { input_tokens: 4, output_tokens: 9 } } }),
    ).toEqual({ input: 4, output: 9 });
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('日本語')).toBe(3);
  });

  it('reads AI_SHIELD_TOKEN_BUDGET and AI_SHIELD_MAX_CONCURRENT', () => {
    const { options, issues } = optionsFromEnv({
      AI_SHIELD_TOKEN_BUDGET: '50000/hour',
      AI_SHIELD_MAX_CONCURRENT: '4',
      AI_SHIELD_NETWORK_DENY: '10.0.0.0/8, 192.0.2.1',
    });
    expect(issues).toEqual([]);
    expect(options).toMatchObject({
      budget: {
        perClient: { tokens: 50000, durationSec: 3600 },
        perIdentity: { tokens: 50000, durationSec: 3600 },
      },
      concurrency: { perClient: 4, perIdentity: 4 },
      network: { deny: ['10.0.0.0/8', '192.0.2.1'] },
    });
    expect(optionsFromEnv({ AI_SHIELD_TOKEN_BUDGET: 'lots' }).issues[0]).toContain('AI_SHIELD_TOKEN_BUDGET');
  });
});

describe('cost accounting', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prices each request per model, in the decision, the per-model totals and usage audit entries', async () => {
    const sink = createMemorySink();
    const shield = createShield({
      env: false,
      rate: { minIntervalMs: 0 },
      audit: { sink },
      budget: { prices: { 'gpt-test': { input: 2, output: 8 } }, auditUsage: true, tokenizer: 'estimate' },
    });
    const decision = await shield.protect({ ...chat('hi', { max_tokens: 50 }), identity: { id: 'alice' } });
    shield.checkResponse(
      { status: 200, body: { usage: { prompt_tokens: 1000, completion_tokens: 500 } } },
      decision,
    );
    await shield.finish(decision);
    await shield.flush();
    // 1,000 input at 2 per million + 500 output at 8 per million.
    expect(decision.budget).toMatchObject({
      model: 'gpt-test',
      input: 1000,
      output: 500,
      cost: 0.006,
      identity: 'alice',
    });
    expect(shield.spendByModel()['gpt-test']).toEqual({ requests: 1, input: 1000, output: 500, cost: 0.006 });
    const usage = sink.entries().find((entry) => entry.type === 'usage');
    expect(usage).toMatchObject({
      identity: { id: 'alice' },
      data: { model: 'gpt-test', input: 1000, output: 500, cost: 0.006 },
    });
  });

  it('an identity spending many times its usual tokens in an hour is an incident and an alert', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const alerts: unknown[] = [];
    const shield = createShield({
      env: false,
      rate: { minIntervalMs: 0, perIp: false, perIdentity: false },
      audit: { enabled: false },
      alerts: { channels: [{ name: 'test', send: async (alert) => void alerts.push(alert) }] },
      budget: { auditUsage: true, tokenizer: 'estimate' },
    });
    const spendTokens = async (output: number) => {
      const decision = await shield.protect({ ...chat('hi', { max_tokens: 10 }), identity: { id: 'bob' } });
      shield.checkResponse(
        { status: 200, body: { usage: { prompt_tokens: 0, completion_tokens: output } } },
        decision,
      );
    };
    await spendTokens(1_000); // the usual hour
    vi.setSystemTime(new Date('2026-01-01T11:00:00Z'));
    await spendTokens(5_000);
    expect((await shield.getIncidentSummary()).byType.budget_overspend).toBeUndefined();
    await spendTokens(40_000); // 45,000 in this hour: 45x the usual 1,000
    const summary = await shield.getIncidentSummary();
    expect(summary.byType.budget_overspend).toBe(1);
    await shield.flush();
    expect(alerts).toContainEqual(expect.objectContaining({ rule: 'overspend', key: 'bob' }));
    await spendTokens(40_000); // reported once per hour
    expect((await shield.getIncidentSummary()).byType.budget_overspend).toBe(1);
  });

  it('the usual spend decays over idle hours', () => {
    let clock = 0;
    const tracker = createSpendTracker({ factor: 10, minTokens: 100, maxSubjects: 2, now: () => clock });
    tracker.record('a', 1_000, 0);
    clock += 3_600_000;
    expect(tracker.record('a', 5_000, 0)).toBeUndefined();
    clock += 3_600_000 * 10; // ten idle hours
    expect(tracker.record('a', 4_000, 0)).toMatchObject({ subject: 'a', tokens: 4_000 });
    // Bounded: a third subject evicts the least recently active.
    tracker.record('b', 1, 0);
    tracker.record('c', 1, 0);
    clock += 3_600_000;
    expect(tracker.record('a', 100_000, 0)).toBeUndefined(); // forgotten: no history, no verdict
  });
});

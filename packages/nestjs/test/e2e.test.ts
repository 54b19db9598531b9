/**
 * Nest e2e tests on small apps (throttler's `test/app` idea), each run on platform-express and
 * platform-fastify: global guard through APP_GUARD, @UseGuards, @Shield overrides, @ShieldSchema,
 * @SkipShield, @ShieldResult, forRootAsync, response checks on errors and @Sse().
 */
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  type MessageEvent,
  Module,
  Post,
  Sse,
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { from, interval, map } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AI_SHIELD,
  AiShieldGuard,
  AiShieldModule,
  chatSchema,
  type Decision,
  type Shield,
  Shield as ShieldPolicy,
  ShieldResult,
  ShieldSchema,
  SkipShield,
} from '../src/index.js';
import { platforms, type Started, startApp } from './harness.js';

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const chat = (content: string) => json({ messages: [{ role: 'user', content }] });

@Controller()
class GlobalController {
  @Post('chat')
  @HttpCode(200)
  @ShieldSchema(chatSchema)
  chat(@Body() body: { messages: Array<{ content: string }> }, @ShieldResult() decision: Decision) {
    return { echo: body.messages[0]!.content, action: decision.action, requestId: decision.requestId };
  }

  @Post('long')
  @HttpCode(200)
  @ShieldPolicy({ validation: { maxBodyBytes: 64 }, rate: { perIp: { points: 1 } } })
  long(@Body() body: unknown, @ShieldResult('route') route: string) {
    return { body, route };
  }

  @Post('open')
  @HttpCode(200)
  @SkipShield()
  open(@Body() body: unknown, @ShieldResult() decision?: Decision) {
    return { body: body ?? null, decision: decision ?? null };
  }

  @Get('fail')
  fail() {
    throw new BadRequestException({ message: 'bad', stack: 'Error: x\n    at handler (/srv/app.js:1:1)' });
  }

  @Sse('events')
  events() {
    const events: MessageEvent[] = [
      { data: 'write to jane.doe@example.com' },
      { data: { text: 'card 4242 4242 4242 4242' } },
    ];
    return from(events);
  }
}

@ShieldSchema(z.object({ name: z.string().max(5) }).strict())
@Controller('scoped')
@UseGuards(AiShieldGuard)
class ScopedController {
  @Post()
  @HttpCode(200)
  create(@Body() body: { name: string }) {
    return { hello: body.name };
  }

  @Post('loose')
  @HttpCode(200)
  @ShieldSchema(z.object({ name: z.string() }))
  loose(@Body() body: { name: string }) {
    return { hello: body.name };
  }

  @Get('skipped')
  @SkipShield()
  skipped() {
    return { ok: true };
  }
}

@Controller('unguarded')
class UnguardedController {
  @Post()
  @HttpCode(200)
  echo(@Body() body: unknown) {
    return { body: body ?? null };
  }
}

@Injectable()
class IncidentService {
  constructor(@Inject(AI_SHIELD) readonly shield: Shield) {}
}

@Module({
  imports: [AiShieldModule.forRoot({ env: false, rate: { minIntervalMs: 0 } })],
  controllers: [GlobalController],
  providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }, IncidentService],
})
class GlobalApp {}

@Module({ providers: [{ provide: 'MAX_STRING', useValue: 40 }], exports: ['MAX_STRING'] })
class ConfigModule {}

@Module({
  imports: [
    AiShieldModule.forRootAsync({
      imports: [ConfigModule],
      inject: ['MAX_STRING'],
      useFactory: (maxStringLength: number) => ({
        env: false,
        rate: { minIntervalMs: 0 },
        validation: { maxStringLength },
      }),
    }),
  ],
  controllers: [ScopedController, UnguardedController],
})
class ScopedApp {}

@Controller()
class SlowController {
  @Sse('slow')
  slow() {
    return interval(10).pipe(map((i) => ({ data: `a piece of a long answer, ${i}` }) as MessageEvent));
  }
}

@Module({
  imports: [
    AiShieldModule.forRoot({ env: false, rate: { minIntervalMs: 0 }, concurrency: { perClient: 1 } }),
  ],
  controllers: [SlowController],
  providers: [{ provide: APP_GUARD, useClass: AiShieldGuard }],
})
class InflightApp {}

for (const platform of platforms) {
  describe(`nestjs e2e (platform-${platform})`, () => {
    const started: Started[] = [];
    const start = async (module: Parameters<typeof startApp>[0]) => {
      const app = await startApp(module, platform);
      started.push(app);
      return app;
    };
    afterAll(async () => {
      await Promise.all(started.map((app) => app.close()));
    });

    describe('global guard (APP_GUARD) and forRoot', () => {
      let app: Started;
      it('starts, and the shield is injectable', async () => {
        app = await start(GlobalApp);
        const shield = app.app.get(IncidentService).shield;
        expect(typeof shield.protect).toBe('function');
        expect(app.app.get(AI_SHIELD)).toBe(shield);
      });

      it('passes the parsed body and the decision to the handler', async () => {
        const res = await fetch(`${app.url}/chat`, chat('Name three rivers in Europe.'));
        expect(res.status).toBe(200);
        const body = await res.json();
        expect(body).toMatchObject({ echo: 'Name three rivers in Europe.', action: 'allow' });
        expect(body.requestId).toBe(res.headers.get('x-request-id'));
        expect(res.headers.get('ratelimit-limit')).toBe('100');
      });

      it('@ShieldSchema answers 422 problem+json with the failing paths', async () => {
        const res = await fetch(`${app.url}/chat`, json({ messages: [{ role: 'root', content: 'hi' }] }));
        expect(res.status).toBe(422);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const problem = await res.json();
        expect(problem).toMatchObject({ status: 422, code: 'ERR_VALIDATION_SCHEMA' });
        expect(problem.errors.map((error: { path: string }) => error.path)).toEqual(['messages[0].role']);
        expect(problem.requestId).toBe(res.headers.get('x-request-id'));
      });

      it('@Shield overrides apply to their handler only, with their own rate budget', async () => {
        const big = json({ text: 'x'.repeat(100) });
        const tooLarge = await fetch(`${app.url}/long`, big);
        expect(tooLarge.status).toBe(413);
        expect((await tooLarge.json()).code).toBe('ERR_VALIDATION_BODY_TOO_LARGE');
        // The same body is fine on a route without the override.
        const fine = await fetch(`${app.url}/chat`, chat('x'.repeat(100)));
        expect(fine.status).toBe(200);
        await fine.arrayBuffer();
        const first = await fetch(`${app.url}/long`, json({ a: 1 }));
        expect(first.status).toBe(429); // the 413 above spent the handler's single point
        expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await first.json()).code).toBe('ERR_RATE_LIMITED');
      });

      it('@SkipShield: no decision, no headers, and the body Nest parsed', async () => {
        const res = await fetch(`${app.url}/open`, json({ a: 1 }));
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBeNull();
        expect(res.headers.get('x-request-id')).toBeNull();
        // Fastify's JSON parser is replaced by the module (the guard reads those bodies), so a skipped
        // handler gets none there; Express keeps Nest's parser.
        expect(await res.json()).toEqual({ body: platform === 'express' ? { a: 1 } : null, decision: null });
      });

      it("reads the bodies it protects within the shield's limits, not the parser's (audited, with the request id)", async () => {
        const malformed = await fetch(`${app.url}/chat`, { ...json({}), body: '{"messages": [' });
        expect(malformed.status).toBe(400);
        expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        const problem = await malformed.json();
        expect(problem).toMatchObject({ code: 'ERR_VALIDATION_MALFORMED', status: 400 });
        expect(problem.requestId).toBe(malformed.headers.get('x-request-id'));
        expect(JSON.stringify(problem)).not.toContain('Unexpected');
        // Over Nest's 100 kB JSON limit, under the shield's 1 MB: the shield reads it and decides (its
        // string limit, not a 413).
        const long = await fetch(`${app.url}/chat`, chat('x'.repeat(150_000)));
        expect(long.status).toBe(400);
        expect((await long.json()).code).toBe('ERR_VALIDATION_LIMITS');
        const big = await fetch(`${app.url}/chat`, chat('x'.repeat(1_100_000)));
        expect(big.status).toBe(413);
        expect((await big.json()).code).toBe('ERR_VALIDATION_BODY_TOO_LARGE');
        const entries = (app.app.get(AI_SHIELD) as Shield).getIncidentSummary();
        expect((await entries).byType.invalid_input).toBeGreaterThanOrEqual(3);
      });

      it.runIf(platform === 'express')("@SkipShield routes get Nest's parser and its answers", async () => {
        const malformed = await fetch(`${app.url}/open`, { ...json({}), body: '{"a": ' });
        expect(malformed.status).toBe(400);
        expect(malformed.headers.get('x-request-id')).toBeNull();
        // Nest's own 100 kB limit applies there.
        const big = await fetch(`${app.url}/open`, json({ a: 'x'.repeat(150_000) }));
        expect(big.status).toBe(413);
        expect((await big.json()).statusCode).toBe(413);
      });

      it('sanitizes HttpException bodies through the output checks', async () => {
        const res = await fetch(`${app.url}/fail`);
        expect(res.status).toBe(400);
        const text = await res.text();
        expect(text).toContain('bad');
        expect(text).not.toContain('/srv/app.js');
      });

      it('checks @Sse() events', async () => {
        const res = await fetch(`${app.url}/events`);
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        const text = await res.text();
        expect(text).not.toContain('jane.doe@example.com');
        expect(text).not.toContain('4242 4242 4242 4242');
        expect(text).toContain('write to ');
      });
    });

    describe('@UseGuards and forRootAsync', () => {
      let app: Started;
      it('starts with options from a factory', async () => {
        app = await start(ScopedApp);
      });

      it('applies a controller-level @ShieldSchema, overridden per handler', async () => {
        const ok = await fetch(`${app.url}/scoped`, json({ name: 'ada' }));
        expect(ok.status).toBe(200);
        expect(await ok.json()).toEqual({ hello: 'ada' });
        const tooLong = await fetch(`${app.url}/scoped`, json({ name: 'grace hopper' }));
        expect(tooLong.status).toBe(422);
        const loose = await fetch(`${app.url}/scoped/loose`, json({ name: 'grace hopper' }));
        expect(loose.status).toBe(200);
      });

      it('uses the async options (maxStringLength 40 -> 400)', async () => {
        const res = await fetch(`${app.url}/scoped/loose`, json({ name: 'n'.repeat(41) }));
        expect(res.status).toBe(400);
        expect((await res.json()).code).toBe('ERR_VALIDATION_LIMITS');
      });

      it('answers malformed JSON and wrong media types itself', async () => {
        const malformed = await fetch(`${app.url}/scoped`, { ...json({}), body: '{"name": ' });
        expect(malformed.status).toBe(400);
        expect((await malformed.json()).code).toBe('ERR_VALIDATION_MALFORMED');
        const text = await fetch(`${app.url}/scoped`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'hello',
        });
        expect(text.status).toBe(415);
        expect(text.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      });

      it('leaves unguarded controllers and @SkipShield handlers alone', async () => {
        const skipped = await fetch(`${app.url}/scoped/skipped`);
        expect(skipped.status).toBe(200);
        expect(skipped.headers.get('x-request-id')).toBeNull();
        const unguarded = await fetch(`${app.url}/unguarded`, json({ a: 1 }));
        expect(unguarded.status).toBe(200);
        expect(unguarded.headers.get('x-request-id')).toBeNull();
        // Nest's parser ran for it on Express; on Fastify the module replaced the JSON parser.
        expect(await unguarded.json()).toEqual({ body: platform === 'express' ? { a: 1 } : null });
      });
    });

    describe('in-flight slots (issue 19)', () => {
      it('releases the slot when the client goes away mid-stream', async () => {
        const app = await start(InflightApp);
        const abort = new AbortController();
        const streaming = await fetch(`${app.url}/slow`, { signal: abort.signal });
        expect(streaming.status).toBe(200);
        await streaming.body!.getReader().read();
        const refused = await fetch(`${app.url}/slow`);
        expect(refused.status).toBe(429);
        expect((await refused.json()).code).toBe('ERR_RATE_CONCURRENCY');
        abort.abort();
        let again: Response | undefined;
        // The server learns of the disconnect from the socket: give it a moment.
        for (let i = 0; i < 20 && again?.status !== 200; i++) {
          await again?.body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 25));
          again = await fetch(`${app.url}/slow`, { signal: AbortSignal.timeout(2000) });
        }
        expect(again!.status).toBe(200);
        await again!.body?.cancel();
      });
    });
  });
}

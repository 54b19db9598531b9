/**
 * Bench target: the stack people assemble today instead of AI Shield, per framework, serving the same
 * chat handler as the other bench servers (issue 15). FRAMEWORK=express|koa|hono|nest, PORT=<port>.
 * Prints "ready" when listening.
 *
 * - Express 5: helmet + express-rate-limit + express.json + zod + vard
 * - Koa 3: koa-helmet + rate-limiter-flexible (memory) + @koa/bodyparser + zod + vard
 * - Hono 4 (Node): secureHeaders + hono-rate-limiter + c.req.json + zod + vard
 * - NestJS 11 (express): helmet + @nestjs/throttler + Nest's JSON parser + zod + vard
 *
 * Each trusts X-Forwarded-For from the loopback proxy (as the shield servers do), limits 60 requests a
 * minute per client address, validates the chat shape with zod and runs vard's default (moderate) check
 * on every user message. Refusals are answered, so a misconfigured stack shows up as non-2xx.
 */
import { createVard } from '@andersmyrmel/vard';
import { z } from 'zod';

const framework = process.env.FRAMEWORK ?? 'express';
const port = Number(process.env.PORT);
const WINDOW_MS = 60_000;
const LIMIT = 60;

const chatSchema = z.object({
  model: z.string().max(200),
  messages: z
    .array(
      z.object({ role: z.enum(['system', 'user', 'assistant', 'tool']), content: z.string().max(32_000) }),
    )
    .min(1)
    .max(100),
});
const vard = createVard(); // the default (moderate) preset

/** zod then vard on the user's messages: undefined when the body passes, else the status to answer. */
function check(body) {
  const parsed = chatSchema.safeParse(body);
  if (!parsed.success) return 422;
  for (const message of parsed.data.messages) {
    if (message.role === 'user' && !vard.safeParse(message.content).safe) return 403;
  }
  return undefined;
}

function answer(body) {
  const last = body.messages.at(-1).content;
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: `You asked ${last.length} characters about the weather in Lisbon. It will be sunny with a light breeze in the afternoon.`,
        },
        finish_reason: 'stop',
      },
    ],
  };
}

const clientOf = (forwarded, fallback) => forwarded?.split(',').at(-1)?.trim() || fallback;

async function express() {
  const { default: expressApp } = await import('express');
  const { default: helmet } = await import('helmet');
  const { rateLimit } = await import('express-rate-limit');
  const app = expressApp();
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(rateLimit({ windowMs: WINDOW_MS, limit: LIMIT, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(expressApp.json({ limit: '1mb' }));
  app.post('/v1/chat', (req, res) => {
    const refused = check(req.body);
    if (refused) return res.status(refused).json({ error: 'refused' });
    res.json(answer(req.body));
  });
  const server = app.listen(port, '127.0.0.1', () => console.log('ready'));
  return () => server.close();
}

async function koa() {
  const { default: Koa } = await import('koa');
  const { default: helmet } = await import('koa-helmet');
  const { bodyParser } = await import('@koa/bodyparser');
  const { RateLimiterMemory } = await import('rate-limiter-flexible');
  const limiter = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 });
  const app = new Koa({ proxy: true });
  app.use(helmet());
  app.use(async (ctx, next) => {
    try {
      await limiter.consume(ctx.ip);
    } catch {
      ctx.status = 429;
      ctx.body = { error: 'too many requests' };
      return;
    }
    await next();
  });
  app.use(bodyParser({ jsonLimit: '1mb' }));
  app.use(async (ctx) => {
    if (ctx.method !== 'POST' || ctx.path !== '/v1/chat') return;
    const refused = check(ctx.request.body);
    if (refused) {
      ctx.status = refused;
      ctx.body = { error: 'refused' };
      return;
    }
    ctx.body = answer(ctx.request.body);
  });
  const server = app.listen(port, '127.0.0.1', () => console.log('ready'));
  return () => server.close();
}

async function hono() {
  const { Hono } = await import('hono');
  const { secureHeaders } = await import('hono/secure-headers');
  const { rateLimiter } = await import('hono-rate-limiter');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.use(secureHeaders());
  app.use(
    rateLimiter({
      windowMs: WINDOW_MS,
      limit: LIMIT,
      standardHeaders: 'draft-6',
      // Hono has no trust-proxy setting: the bench's proxy is on loopback, so its header is the client.
      keyGenerator: (c) => clientOf(c.req.header('x-forwarded-for'), 'direct'),
    }),
  );
  app.post('/v1/chat', async (c) => {
    const body = await c.req.json();
    const refused = check(body);
    if (refused) return c.json({ error: 'refused' }, refused);
    return c.json(answer(body));
  });
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('ready'));
  return () => server.close();
}

async function nest() {
  await import('reflect-metadata');
  const { Body, Controller, HttpCode, HttpException, Module, Post } = await import('@nestjs/common');
  const { APP_GUARD, NestFactory } = await import('@nestjs/core');
  const { ThrottlerGuard, ThrottlerModule } = await import('@nestjs/throttler');
  const { default: helmet } = await import('helmet');
  class ChatController {
    chat(body) {
      const refused = check(body);
      if (refused) throw new HttpException({ error: 'refused' }, refused);
      return answer(body);
    }
  }
  const chat = Object.getOwnPropertyDescriptor(ChatController.prototype, 'chat');
  Body()(ChatController.prototype, 'chat', 0);
  Post('v1/chat')(ChatController.prototype, 'chat', chat);
  HttpCode(200)(ChatController.prototype, 'chat', chat);
  Controller()(ChatController);
  class AppModule {}
  Module({
    imports: [ThrottlerModule.forRoot([{ ttl: WINDOW_MS, limit: LIMIT }])],
    controllers: [ChatController],
    providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: ['error'] });
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.useBodyParser('json', { limit: '1mb' });
  await app.listen(port, '127.0.0.1');
  console.log('ready');
  return () => app.close();
}

const starters = { express, koa, hono, nest };
if (!starters[framework]) throw new Error(`FRAMEWORK must be one of ${Object.keys(starters).join(', ')}`);
const stop = await starters[framework]();
process.on('SIGTERM', async () => {
  await stop();
  process.exit(0);
});

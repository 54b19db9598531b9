import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  chatReply,
  chatStreamEvents,
  defineConformanceSuite,
  predictReply,
  wantsStream,
} from '@ai-shield/conformance';
import Router from '@koa/router';
import Koa from 'koa';
import { aiShield } from '../src/index.js';

defineConformanceSuite({
  name: 'koa',
  async start(options) {
    const app = new Koa();
    app.use(aiShield(options));
    // @koa/router with its defaults (case-insensitive, trailing slash optional), as real apps route.
    const router = new Router();
    const bodyOf = (ctx: Koa.Context) => (ctx.request as { body?: unknown }).body;
    router.post('/v1/chat', (ctx) => {
      const body = bodyOf(ctx);
      if (!wantsStream(body)) {
        ctx.body = chatReply(body);
        return;
      }
      ctx.type = 'text/event-stream';
      ctx.body = Readable.from(chatStreamEvents(body));
    });
    router.post('/v1/predict', (ctx) => {
      ctx.body = predictReply(bodyOf(ctx));
    });
    router.get('/healthz', (ctx) => {
      ctx.body = { status: 'ok' };
    });
    app.use(router.routes()).use(router.allowedMethods());
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});

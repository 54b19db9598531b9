import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatReply, defineDashboardSuite } from '@ai-shield/conformance';
import Router from '@koa/router';
import Koa from 'koa';
import { aiShield } from '../src/index.js';

defineDashboardSuite({
  name: 'koa',
  async start({ options, dashboard, metrics }) {
    const app = new Koa();
    const shield = aiShield(options);
    app.use(shield.dashboard(dashboard));
    app.use(shield.metrics(metrics));
    app.use(shield);
    const router = new Router();
    router.post('/v1/chat', (ctx) => {
      ctx.body = chatReply((ctx.request as { body?: unknown }).body);
    });
    app.use(router.routes());
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});

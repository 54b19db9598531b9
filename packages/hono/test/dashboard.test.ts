import type { AddressInfo } from 'node:net';
import { chatReply, defineDashboardSuite } from '@ai-shield/conformance';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { aiShield } from '../src/index.js';

defineDashboardSuite({
  name: 'hono (node)',
  async start({ options, dashboard, metrics }) {
    const app = new Hono();
    const shield = aiShield(options);
    app.use('/ai-shield/*', shield.dashboard(dashboard));
    app.get('/metrics', shield.metrics(metrics));
    app.use(shield);
    app.post('/v1/chat', async (c) => c.json(chatReply(await c.req.json())));
    app.onError((error) =>
      error instanceof HTTPException ? error.getResponse() : new Response(null, { status: 500 }),
    );
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(listening));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});

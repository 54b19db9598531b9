/**
 * The conformance app in Hono, shared by the Node runner (test/conformance.test.ts) and the workerd runner
 * (examples/hono-worker/test/conformance.test.ts) and the Bun and Deno runners (test/runtimes.test.ts), so
 * every runtime serves exactly the same handlers.
 * @module
 */
import { chatReply, chatStreamEvents, predictReply, wantsStream } from '@ai-shield/conformance/runtime';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AiShieldMiddleware } from '../src/index.js';

export function conformanceApp(shield: AiShieldMiddleware): Hono {
  const app = new Hono();
  app.use(shield);
  app.post('/v1/chat', async (c) => {
    const body = await c.req.json();
    if (!wantsStream(body)) return c.json(chatReply(body));
    // Written event by event, so a value split across events stays split on the wire.
    return streamSSE(c, async (stream) => {
      for (const event of chatStreamEvents(body)) await stream.write(event);
    });
  });
  app.post('/v1/predict', async (c) => c.json(predictReply(await c.req.json())));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  return app;
}

/**
 * The example app on Workers: POST /v1/chat, POST /v1/predict, GET /healthz, protected by one line of
 * AI Shield. The same routes and shield options as examples/express-chat and examples/hono-node.
 */

import {
  chatResponse,
  createChatBackend,
  decisionDebugHeaders,
  exampleEndpoints,
  exampleShieldOptions,
  predictModel,
} from '@ai-shield/example-shared';
import { aiShield } from '@ai-shield/hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

// On Workers the variables arrive through process.env under nodejs_compat.
/** Shield options shared by every example app (examples/shared). */
export const shieldOptions = exampleShieldOptions('hono-worker', globalThis.process?.env ?? {});

export function createApp(options = {}) {
  const app = new Hono();
  // Rate limits count per isolate here (the in-memory store); plug a shared RateStore for global budgets.
  const shield = aiShield({ ...shieldOptions, ...options });
  // The dashboard (binding AI_SHIELD_DASHBOARD_TOKEN) and /metrics (AI_SHIELD_METRICS=1), before the shield.
  // Bindings arrive with each request, so the handlers are made on the first request that has them.
  let dashboard;
  let metrics;
  app.use('/ai-shield/*', (c, next) => {
    const endpoint = exampleEndpoints(c.env ?? {}).dashboard;
    if (!endpoint) return next();
    dashboard ??= shield.dashboard(endpoint);
    return dashboard(c, next);
  });
  app.get('/metrics', (c, next) => {
    const endpoint = exampleEndpoints(c.env ?? {}).metrics;
    if (!endpoint) return next();
    metrics ??= shield.metrics(endpoint);
    return metrics(c, next);
  });
  app.use(shield);
  // For the demo only (binding AI_SHIELD_DEBUG_HEADERS=1): show clients what the shield decided.
  app.use(async (c, next) => {
    if (c.env?.AI_SHIELD_DEBUG_HEADERS === '1') {
      for (const [name, value] of Object.entries(decisionDebugHeaders(c.get('aiShield'))))
        c.header(name, value);
    }
    await next();
  });

  // The stand-in model, or an OpenAI-compatible server when AI_SHIELD_UPSTREAM_URL is set; `stream: true`
  // answers with OpenAI's SSE chunks, which the shield filters and meters as they pass.
  const chat = createChatBackend(options.env ?? globalThis.process?.env ?? {});
  app.post('/v1/chat', async (c) => {
    const body = await c.req.json();
    if (body.stream !== true) return c.json(await chat.complete(body, c.req.raw.signal));
    // Through c.body(), so the headers other middleware prepared with c.header() are kept.
    const res = await chatResponse(chat, body, c.req.raw.signal);
    return c.body(res.body, 200, Object.fromEntries(res.headers));
  });
  app.post('/v1/predict', async (c) => c.json(predictModel((await c.req.json()).input)));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    console.error(`request ${c.get('aiShield')?.requestId ?? '-'} failed:`, error.message);
    return c.body(
      JSON.stringify({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        requestId: c.get('aiShield')?.requestId,
      }),
      500,
      { 'content-type': 'application/problem+json' },
    );
  });
  return app;
}

/**
 * The example app: POST /v1/chat, POST /v1/predict, GET /healthz, protected by one line of AI Shield.
 */

import {
  chatResponse,
  createChatBackend,
  decisionDebugHeaders,
  exampleEndpoints,
  predictModel,
} from '@ai-shield/example-shared';
import { exampleNodeOptions } from '@ai-shield/example-shared/node';
import { aiShield } from '@ai-shield/hono';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';

/**
 * Shield options shared by every example app (examples/shared); with REDIS_URL set, all shared state
 * (budgets, lockouts, incidents, behaviour, baselines, alert windows, audit heads) lives in that Redis.
 */
export const shieldOptions = exampleNodeOptions('hono-node');

export function createApp(options = {}) {
  const app = new Hono();
  const shield = aiShield({ ...shieldOptions, ...options });
  // The dashboard (AI_SHIELD_DASHBOARD_TOKEN) and /metrics (AI_SHIELD_METRICS=1), before the shield: their
  // own requests are neither rate-limited nor counted as traffic.
  const { dashboard, metrics } = exampleEndpoints();
  if (dashboard) app.use(`${dashboard.path}/*`, shield.dashboard(dashboard));
  if (metrics) app.get(metrics.path, shield.metrics(metrics));
  app.use(shield);
  // For the demo only (AI_SHIELD_DEBUG_HEADERS=1): show clients what the shield decided about allowed requests.
  if (process.env.AI_SHIELD_DEBUG_HEADERS === '1') {
    app.use(async (c, next) => {
      for (const [name, value] of Object.entries(decisionDebugHeaders(c.get('aiShield'))))
        c.header(name, value);
      await next();
    });
  }

  // The stand-in model, or an OpenAI-compatible server when AI_SHIELD_UPSTREAM_URL is set; `stream: true`
  // answers with OpenAI's SSE chunks, which the shield filters and meters as they pass.
  const chat = createChatBackend(options.env ?? process.env);
  app.post('/v1/chat', async (c) => {
    const body = await c.req.json();
    if (body.stream !== true) return c.json(await chat.complete(body, c.req.raw.signal));
    // Through c.body(), so the headers other middleware prepared with c.header() are kept.
    const res = await chatResponse(chat, body, c.req.raw.signal);
    return c.body(res.body, 200, Object.fromEntries(res.headers));
  });
  app.post('/v1/predict', async (c) => c.json(predictModel((await c.req.json()).input)));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Refusals arrive as HTTPException carrying the problem+json response; anything else is a 500 in the
  // same shape, without internals.
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

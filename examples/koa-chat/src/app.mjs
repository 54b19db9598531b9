/**
 * The example app: POST /v1/chat, POST /v1/predict, GET /healthz, protected by one line of AI Shield.
 */

import { Readable } from 'node:stream';
import {
  createChatBackend,
  decisionDebugHeaders,
  exampleEndpoints,
  predictModel,
} from '@ai-shield/example-shared';
import { exampleNodeOptions } from '@ai-shield/example-shared/node';
import { aiShield } from '@ai-shield/koa';
import Router from '@koa/router';
import Koa from 'koa';

/**
 * Shield options shared by every example app (examples/shared); with REDIS_URL set, all shared state
 * (budgets, lockouts, incidents, behaviour, baselines, alert windows, audit heads) lives in that Redis.
 */
export const shieldOptions = exampleNodeOptions('koa-chat');

/** Answers errors thrown further down in the same problem+json shape as the shield, without internals. */
async function problemOnError(ctx, next) {
  try {
    await next();
  } catch (error) {
    const requestId = ctx.state.aiShield?.requestId;
    console.error(`request ${requestId ?? '-'} failed:`, error.message);
    ctx.status = 500;
    ctx.body = JSON.stringify({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      requestId,
    });
    ctx.type = 'application/problem+json';
  }
}

async function exposeDecision(ctx, next) {
  ctx.set(decisionDebugHeaders(ctx.state.aiShield));
  await next();
}

export function createApp(options = {}) {
  const app = new Koa();
  app.use(problemOnError);
  const shield = aiShield({ ...shieldOptions, ...options });
  // The dashboard (AI_SHIELD_DASHBOARD_TOKEN) and /metrics (AI_SHIELD_METRICS=1), before the shield: their
  // own requests are neither rate-limited nor counted as traffic.
  const { dashboard, metrics } = exampleEndpoints();
  if (dashboard) app.use(shield.dashboard(dashboard));
  if (metrics) app.use(shield.metrics(metrics));
  app.use(shield);
  // For the demo only (AI_SHIELD_DEBUG_HEADERS=1): show clients what the shield decided about allowed requests.
  if (process.env.AI_SHIELD_DEBUG_HEADERS === '1') app.use(exposeDecision);

  const router = new Router();
  // The stand-in model, or an OpenAI-compatible server when AI_SHIELD_UPSTREAM_URL is set.
  const chat = createChatBackend(options.env ?? process.env);
  router.post('/v1/chat', async (ctx) => {
    // Stop asking the model when the client goes away.
    const abort = new AbortController();
    ctx.res.once('close', () => abort.abort());
    const body = ctx.request.body;
    if (body.stream !== true) {
      ctx.body = await chat.complete(body, abort.signal);
      return;
    }
    // OpenAI's SSE chunks; the shield filters and meters them as they pass.
    ctx.type = 'text/event-stream';
    ctx.set('cache-control', 'no-cache');
    ctx.body = Readable.from(chat.stream(body, abort.signal));
  });
  router.post('/v1/predict', (ctx) => {
    ctx.body = predictModel(ctx.request.body.input);
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}

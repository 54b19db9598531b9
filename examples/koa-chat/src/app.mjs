/**
 * The example app: POST /v1/chat, POST /v1/predict, GET /healthz, protected by one line of AI Shield.
 */

import { chatModel, decisionDebugHeaders, exampleEndpoints, predictModel } from '@ai-shield/example-shared';
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
  router.post('/v1/chat', (ctx) => {
    ctx.body = chatModel(ctx.request.body.messages);
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

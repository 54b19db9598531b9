/**
 * The example app: POST /v1/chat, POST /v1/predict, GET /healthz, protected by one line of AI Shield.
 */
import { withNodeSinks } from '@ai-shield/core/node';
import {
  createChatBackend,
  decisionDebugHeaders,
  exampleEndpoints,
  predictModel,
} from '@ai-shield/example-shared';
import { exampleNodeOptions } from '@ai-shield/example-shared/node';
import { aiShield, aiShieldErrorHandler } from '@ai-shield/express';
import express from 'express';

/**
 * Shield options shared by every example app (examples/shared); with REDIS_URL set, all shared state
 * (budgets, lockouts, incidents, behaviour, baselines, alert windows, audit heads) lives in that Redis.
 */
export const shieldOptions = exampleNodeOptions('express-chat');

function exposeDecision(req, res, next) {
  res.set(decisionDebugHeaders(req.aiShield));
  next();
}

export function createApp(options = {}) {
  const app = express();
  // Audit log where AI_SHIELD_AUDIT_LOG_PATH (a file) or AI_SHIELD_SECURITY_LOG_PATH (a folder) points,
  // email alerts when AI_SHIELD_SMTP_SERVER is set; without them the audit log and incidents stay in memory.
  const shield = aiShield(withNodeSinks({ ...shieldOptions, ...options }));
  // The dashboard (AI_SHIELD_DASHBOARD_TOKEN) and /metrics (AI_SHIELD_METRICS=1), before the shield: their
  // own requests are neither rate-limited nor counted as traffic.
  const { dashboard, metrics } = exampleEndpoints();
  if (dashboard) app.use(dashboard.path, shield.dashboard(dashboard));
  if (metrics) app.get(metrics.path, shield.metrics(metrics));
  app.use(shield);
  // server.mjs closes it on shutdown, so queued audit entries are written and checkpointed.
  app.locals.aiShield = shield.shield;
  // For the demo only (AI_SHIELD_DEBUG_HEADERS=1): show clients what the shield decided about allowed requests.
  if (process.env.AI_SHIELD_DEBUG_HEADERS === '1') app.use(exposeDecision);

  // The stand-in model, or an OpenAI-compatible server when AI_SHIELD_UPSTREAM_URL is set.
  const chat = createChatBackend(options.env ?? process.env);
  app.post('/v1/chat', async (req, res) => {
    // Stop asking the model when the client goes away.
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    if (req.body.stream !== true) {
      res.json(await chat.complete(req.body, abort.signal));
      return;
    }
    // The shield filters the events as they are written (PII masked, budget counted, cut when spent).
    res.setHeader('content-type', 'text/event-stream');
    res.setHeader('cache-control', 'no-cache');
    for await (const event of chat.stream(req.body, abort.signal)) {
      if (res.destroyed) break;
      res.write(event);
    }
    res.end();
  });
  app.post('/v1/predict', (req, res) => {
    res.json(predictModel(req.body.input));
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Last: errors thrown by the handlers (Express 5 sends rejected promises here too) become a
  // problem+json 500 with the request id, never Express's default page with the stack trace.
  app.use(aiShieldErrorHandler());
  return app;
}

import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { aiShield, chatSchema, type Decision } from '@ai-shield/hono';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { check } from './check.js';

// One copy of hono: the adapter's must be the app's, or c.get('aiShield') loses its type (and the
// ContextVariableMap augmentation lands on the other copy).
const require = createRequire(import.meta.url);
const adapterDir = dirname(realpathSync(require.resolve('@ai-shield/hono')));
assert.equal(
  realpathSync(createRequire(`${adapterDir}/`).resolve('hono')),
  realpathSync(require.resolve('hono')),
  'a second copy of hono is installed for @ai-shield/hono',
);

const app = new Hono();
app.use(
  '/v1/*',
  aiShield({ env: false, routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } }),
);
/** `true` for `any`: what `c.get('aiShield')` becomes when the adapter's types augment another hono copy. */
type IsAny<T> = 0 extends 1 & T ? true : false;

app.post('/v1/chat', (c) => {
  const decision = c.get('aiShield');
  const typed: [IsAny<typeof decision>, Decision] = [false, decision]; // compile error unless typed
  return c.json({ action: typed[1].action });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, async (info) => {
  try {
    await check('hono', `http://127.0.0.1:${info.port}`);
  } finally {
    server.close();
  }
});

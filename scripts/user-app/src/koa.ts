import type { AddressInfo } from 'node:net';
import { aiShield, chatSchema, type Decision } from '@ai-shield/koa';
import Koa from 'koa';
import { check } from './check.js';

const app = new Koa();
app.use(aiShield({ env: false, routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } }));
app.use((ctx) => {
  const decision: Decision | undefined = ctx.state.aiShield;
  ctx.body = { action: decision?.action };
});

const server = app.listen(0, '127.0.0.1', async () => {
  try {
    await check('koa', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
});

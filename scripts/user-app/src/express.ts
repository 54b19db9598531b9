import type { AddressInfo } from 'node:net';
import { aiShield, aiShieldErrorHandler, chatSchema, type Decision } from '@ai-shield/express';
import express from 'express';
import { check } from './check.js';

const app = express();
app.use(aiShield({ env: false, routes: { 'POST /v1/chat': { validation: { schema: chatSchema } } } }));
app.post('/v1/chat', (req, res) => {
  const decision: Decision | undefined = req.aiShield; // typed through the Express.Request augmentation
  res.json({ action: decision?.action });
});
app.use(aiShieldErrorHandler());

const server = app.listen(0, '127.0.0.1', async () => {
  try {
    await check('express', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
});

import type { AddressInfo } from 'node:net';
import { chatReply, defineDashboardSuite } from '@ai-shield/conformance';
import express from 'express';
import { aiShield } from '../src/index.js';

defineDashboardSuite({
  name: 'express',
  async start({ options, dashboard, metrics }) {
    const app = express();
    const shield = aiShield(options);
    app.use('/ai-shield', shield.dashboard(dashboard));
    app.get('/metrics', shield.metrics(metrics));
    app.use(shield);
    app.post('/v1/chat', (req, res) => {
      res.json(chatReply(req.body));
    });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
});

import { serve } from '@hono/node-server';
import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 8080);
const server = serve(
  { fetch: createApp().fetch, port, hostname: process.env.HOST ?? '127.0.0.1' },
  ({ address, port: actual }) => {
    console.log(`hono-node listening on http://${address}:${actual}`);
    if (process.env.AI_SHIELD_DASHBOARD_TOKEN)
      console.log(`dashboard: http://${address}:${actual}/ai-shield/`);
  },
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

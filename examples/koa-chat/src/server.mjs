import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 8080);
const server = createApp().listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const { address, port: actual } = server.address();
  console.log(`koa-chat listening on http://${address}:${actual}`);
  if (process.env.AI_SHIELD_DASHBOARD_TOKEN) console.log(`dashboard: http://${address}:${actual}/ai-shield/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

import { createApp } from './app.mjs';

const port = Number(process.env.PORT ?? 8080);
const app = createApp();
const server = app.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const { address, port: actual } = server.address();
  console.log(`express-chat listening on http://${address}:${actual}`);
  if (process.env.AI_SHIELD_DASHBOARD_TOKEN) console.log(`dashboard: http://${address}:${actual}/ai-shield/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () =>
    server.close(async () => {
      await app.locals.aiShield?.close();
      process.exit(0);
    }),
  );
}

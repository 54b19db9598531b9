/**
 * Starts the example on PORT (default 8080) with the runtime's own server: `Bun.serve` on Bun,
 * `Deno.serve` on Deno, `@hono/node-server` on Node. The shield reads the client address from each
 * one's bindings (see the Hono section of the README).
 */
import { createApp } from './app.mjs';

const port = Number(globalThis.process?.env.PORT ?? 8080);
const hostname = globalThis.process?.env.HOST ?? '127.0.0.1';
const { fetch } = createApp();
const listening = (address, actual) => {
  console.log(`hono-node listening on http://${address}:${actual}`);
  if (globalThis.process?.env.AI_SHIELD_DASHBOARD_TOKEN)
    console.log(`dashboard: http://${address}:${actual}/ai-shield/`);
};

if (globalThis.Bun) {
  const server = globalThis.Bun.serve({ fetch, port, hostname });
  listening(server.hostname, server.port);
} else if (globalThis.Deno) {
  globalThis.Deno.serve(
    { port, hostname, onListen: ({ hostname: address, port: actual }) => listening(address, actual) },
    fetch,
  );
} else {
  const { serve } = await import('@hono/node-server');
  const server = serve({ fetch, port, hostname }, ({ address, port: actual }) => listening(address, actual));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => server.close(() => process.exit(0)));
  }
}

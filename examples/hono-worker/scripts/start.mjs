/**
 * `pnpm --dir examples/hono-worker start`: bundles the Worker and runs it locally in workerd through
 * miniflare on PORT (default 8787). Prints "listening on" when ready, like the Node examples.
 */
import { Miniflare } from 'miniflare';
import { buildWorker } from './build.mjs';

const scriptPath = await buildWorker({ source: process.argv.includes('--source') });
const mf = new Miniflare({
  modules: true,
  scriptPath,
  compatibilityDate: '2025-04-01',
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 8787),
  bindings: Object.fromEntries(
    ['AI_SHIELD_DEBUG_HEADERS', 'AI_SHIELD_DASHBOARD_TOKEN', 'AI_SHIELD_METRICS']
      .filter((name) => process.env[name])
      .map((name) => [name, process.env[name]]),
  ),
});
const url = await mf.ready;
console.log(`hono-worker (workerd) listening on ${url.href.replace(/\/$/, '')}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => mf.dispose().then(() => process.exit(0)));
}

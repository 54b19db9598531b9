/**
 * The shared conformance suite against @ai-shield/hono running in real workerd (miniflare from npm): the
 * same cases as every Node runner, over HTTP to miniflare's URL.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConformanceSuite, optionsToJson } from '@ai-shield/conformance';
import { Miniflare } from 'miniflare';
import { buildWorker } from '../scripts/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let bundle: Promise<string> | undefined;

defineConformanceSuite({
  name: 'hono (workerd)',
  runtime: 'workerd',
  async start(options) {
    bundle ??= buildWorker({
      entry: join(root, 'test/conformance-worker.ts'),
      outfile: join(root, 'dist/conformance-worker.mjs'),
      source: true,
    });
    const mf = new Miniflare({
      modules: true,
      scriptPath: await bundle,
      compatibilityDate: '2025-04-01',
      host: '127.0.0.1',
      port: 0,
      bindings: { AI_SHIELD_OPTIONS: optionsToJson(options) },
    });
    const url = await mf.ready;
    return { url: url.href.replace(/\/$/, ''), close: () => mf.dispose() };
  },
});

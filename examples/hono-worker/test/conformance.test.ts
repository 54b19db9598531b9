/**
 * The shared conformance suite against @ai-shield/hono running in real workerd (miniflare from npm): the
 * same cases as every Node runner, over HTTP to miniflare's URL.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConformanceSuite } from '@ai-shield/conformance';
import { chatSchema, tensorSchema } from '@ai-shield/hono';
import { Miniflare } from 'miniflare';
import { buildWorker } from '../scripts/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let bundle: Promise<string> | undefined;

/** Options as JSON for the binding; the built-in zod schemas travel by name. */
function toJson(options: unknown): string {
  return JSON.stringify(options, (_key, value) => {
    if (value === chatSchema) return { $schema: 'chat' };
    if (value === tensorSchema) return { $schema: 'tensor' };
    if (typeof value === 'function') throw new Error('Function options cannot cross into the Worker');
    return value;
  });
}

defineConformanceSuite({
  name: 'hono (workerd)',
  runtime: 'workerd',
  async start(options) {
    bundle ??= buildWorker({
      entry: join(root, 'test/conformance-worker.ts'),
      outfile: join(root, 'dist/conformance-worker.mjs'),
      source: true,
      // The worker needs the framework-free handlers only, not the suite (which imports vitest).
      alias: { '@ai-shield/conformance': join(root, '../../packages/conformance/src/app.ts') },
    });
    const mf = new Miniflare({
      modules: true,
      scriptPath: await bundle,
      compatibilityDate: '2025-04-01',
      host: '127.0.0.1',
      port: 0,
      bindings: { AI_SHIELD_OPTIONS: toJson(options) },
    });
    const url = await mf.ready;
    return { url: url.href.replace(/\/$/, ''), close: () => mf.dispose() };
  },
});

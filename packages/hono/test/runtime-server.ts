/**
 * The conformance app served by Bun (`Bun.serve`) or Deno (`Deno.serve`), each runtime's own server, so
 * the adapter reads the client address from its bindings as in a user's app. Options arrive as JSON in
 * AI_SHIELD_OPTIONS; prints `listening on <port>`. Bundled by test/runtimes.test.ts.
 */
import { optionsFromJson } from '@ai-shield/conformance/runtime';
import { aiShield } from '../src/index.js';
import { conformanceApp } from './conformance-app.js';

interface Runtimes {
  Bun?: { serve(options: { port: number; hostname: string; fetch: unknown }): { port: number } };
  Deno?: {
    env: { get(name: string): string | undefined };
    serve(
      options: { port: number; hostname: string; onListen(address: { port: number }): void },
      fetch: unknown,
    ): void;
  };
  process?: { env: Record<string, string | undefined> };
}
const runtime = globalThis as Runtimes;
const json = runtime.Deno
  ? runtime.Deno.env.get('AI_SHIELD_OPTIONS')
  : runtime.process?.env.AI_SHIELD_OPTIONS;
const app = conformanceApp(aiShield(optionsFromJson(json ?? '{}')));

if (runtime.Bun) {
  const server = runtime.Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  console.log(`listening on ${server.port}`);
} else if (runtime.Deno) {
  runtime.Deno.serve(
    { port: 0, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on ${port}`) },
    app.fetch,
  );
} else {
  throw new Error('runtime-server.ts runs on Bun or Deno');
}

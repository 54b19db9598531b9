/**
 * The shared conformance suite against @ai-shield/hono on Bun and on Deno: the app runs in that runtime
 * with its own server (test/runtime-server.ts, bundled from sources with esbuild), the suite runs here and
 * talks to it over HTTP, as the workerd runner does. The runtimes come from `pnpm runtimes` (.tmp/runtimes,
 * pinned npm packages). Outside CI a missing runtime skips its suite with a loud warning; under CI=true
 * it fails (.ci/run installs them).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConformanceSuite, optionsToJson } from '@ai-shield/conformance';
import { build } from 'esbuild';
import { describe, it } from 'vitest';
import { runtimePaths } from '../../../scripts/runtimes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const installed = runtimePaths();
let bundle: Promise<string> | undefined;

function bundleServer(): Promise<string> {
  const outfile = join(here, '..', 'dist-test', 'runtime-server.mjs');
  bundle ??= build({
    entryPoints: [join(here, 'runtime-server.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@ai-shield/source', 'import'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  }).then(() => outfile);
  return bundle;
}

function startServer(
  command: string,
  args: string[],
  options: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(command, args, {
    env: { ...process.env, AI_SHIELD_OPTIONS: options },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, child });
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

const RUNNERS = {
  bun: (path: string, script: string) => [path, [script]] as const,
  deno: (path: string, script: string) => [path, ['run', '--allow-env', '--allow-net', script]] as const,
};

for (const [name, argv] of Object.entries(RUNNERS)) {
  const path = installed[name as keyof typeof RUNNERS];
  if (!path) {
    if (process.env.CI === 'true') {
      describe(`conformance: hono (${name})`, () => {
        it(`needs ${name} under CI=true`, () => {
          throw new Error(`${name} is not installed: run \`pnpm runtimes\` (.ci/run does)`);
        });
      });
    } else {
      console.warn(
        `\n*** ${name} not found in .tmp/runtimes: SKIPPING its conformance suite (run \`pnpm runtimes\`) ***\n`,
      );
    }
    continue;
  }
  defineConformanceSuite({
    name: `hono (${name})`,
    runtime: name as keyof typeof RUNNERS,
    async start(options) {
      const [command, args] = argv(path, await bundleServer());
      const { url, child } = await startServer(command, [...args], optionsToJson(options));
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    },
  });
}

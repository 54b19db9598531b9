#!/usr/bin/env node
/**
 * `pnpm --dir bench run bench:profile`: where a bench server spends its CPU under `pnpm bench`'s fleet
 * traffic. Starts servers/<framework>.mjs (or diy.mjs) under `node --cpu-prof`, pinned to CPU 0 with the
 * load generator on CPU 1 (when taskset is available), loads it for PROFILE_SECONDS, stops it and prints
 * the top self-time and inclusive functions. The .cpuprofile is kept (open it in Chrome DevTools ›
 * Performance, or speedscope) and its path printed.
 *
 * Env: FRAMEWORK=express|koa|hono|nest (default hono), MODE=shield|bare|diy (default shield),
 * PROFILE_SECONDS (default 10), PROFILE_TOP (default 30), PROFILE_DIR (default a temp folder).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { cpuProfileSummary } from './lib/profile-summary.mjs';
import { nextRequest } from './lib/traffic.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const framework = process.env.FRAMEWORK ?? 'hono';
const mode = process.env.MODE ?? 'shield';
const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
const top = Number(process.env.PROFILE_TOP ?? 30);
const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'ai-shield-profile-'));
const pin = spawnSync('taskset', ['--version']).status === 0 && cpus().length >= 2;

const port = await new Promise((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const script = join(here, 'servers', mode === 'diy' ? 'diy.mjs' : `${framework}.mjs`);
const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, script];
const env = { ...process.env, MODE: mode, FRAMEWORK: framework, PORT: String(port), NODE_ENV: 'production' };
const child = pin
  ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
if (pin) spawnSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });

const result = await autocannon({
  url: `http://127.0.0.1:${port}/v1/chat`,
  requests: [{ method: 'POST', path: '/v1/chat', setupRequest: nextRequest }],
  connections: 10,
  duration: seconds,
});
// SIGTERM lets the server close and node write the profile on exit.
await new Promise((resolve) => {
  child.once('exit', resolve);
  child.kill('SIGTERM');
});
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
const summary = cpuProfileSummary(JSON.parse(readFileSync(join(dir, file), 'utf8')), top);
console.log(
  `${framework} ${mode}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, ${result.non2xx} non-2xx; profile ${join(dir, file)} (${Math.round(summary.totalMs)} ms sampled, includes the warm-up)`,
);
console.log('\nself time');
for (const line of summary.self) console.log(line);
console.log('\ninclusive time');
for (const line of summary.inclusive) console.log(line);

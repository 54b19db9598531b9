#!/usr/bin/env node
/**
 * `pnpm bench`: throughput and p99 of the bare framework vs the framework + aiShield() defaults vs the
 * do-it-yourself stack people assemble instead (servers/diy.mjs: helmet/rate limiter/zod/vard), measured
 * in the same run on a ~1 KB chat request. Server pinned to CPU 0, load generator (autocannon) to CPU 1
 * when taskset is available. Rounds alternate bare/shield/diy to spread machine noise over all three.
 * CPU per request is the server process's user + system time (from /proc) over the measured run.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 10),
 * BENCH_CLIENTS (simulated client addresses, default 20000), BENCH_ONLY (e.g. `express,hono`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { averageBody, bodies, CLIENTS, nextRequest } from './lib/traffic.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const pin = spawnSync('taskset', ['--version']).status === 0 && (await import('node:os')).cpus().length >= 2;

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startServer(script, mode, framework) {
  const port = await freePort();
  // The DIY stacks live in one file, selected by FRAMEWORK.
  const args = [join(here, 'servers', mode === 'diy' ? 'diy.mjs' : script)];
  const env = {
    ...process.env,
    MODE: mode,
    FRAMEWORK: framework,
    PORT: String(port),
    NODE_ENV: 'production',
  };
  // taskset execs node, so the child's pid is the server's (for /proc/<pid>/stat).
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${script} ${mode} exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function load(url) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/chat`,
        requests: [{ method: 'POST', path: '/v1/chat', setupRequest: nextRequest }],
        connections,
        duration,
        pipelining: 1,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** CPU seconds (user + system) the process has used so far; undefined where /proc is missing. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function measure(script, mode, framework) {
  const server = await startServer(script, mode, framework);
  try {
    await load(server.url).then(
      () => undefined,
      () => undefined,
    ); // warm-up is the first second of a short run
    const cpuBefore = cpuSeconds(server.pid);
    const result = await load(server.url);
    const cpuAfter = cpuSeconds(server.pid);
    const non2xx = result.non2xx + result.errors;
    const cpuUs =
      cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
        ? ((cpuAfter - cpuBefore) * 1e6) / result.requests.total
        : undefined;
    return { rps: result.requests.average, p99: result.latency.p99, non2xx, cpuUs };
  } finally {
    await server.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Progress on stderr (the table and the summary stay on stdout): one line per measurement, with an
// estimate of the time left (each measurement is a warm-up run and a measured run of `duration` s).
const progress = { done: 0, total: 0, started: Date.now() };
async function measureWithProgress(label, script, mode, round) {
  const result = await measure(script, mode, frameworkOf(script));
  progress.done++;
  const perRun = (Date.now() - progress.started) / progress.done;
  const left = Math.ceil(((progress.total - progress.done) * perRun) / 1000);
  console.error(
    `[${progress.done}/${progress.total}] ${label} ${mode} round ${round + 1}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms${left > 0 ? ` (~${left} s left)` : ''}`,
  );
  return result;
}

const frameworkOf = (script) => script.replace(/\.mjs$/, '');
// BENCH_DIY=0 leaves out the DIY rows.
const modes = process.env.BENCH_DIY === '0' ? ['bare', 'shield'] : ['bare', 'shield', 'diy'];

async function compare(label, script) {
  const results = Object.fromEntries(modes.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    for (const mode of modes) results[mode].push(await measureWithProgress(label, script, mode, round));
  }
  const rps = (mode) => median(results[mode].map((r) => r.rps));
  const cpu = (mode) => {
    const values = results[mode].map((r) => r.cpuUs).filter((v) => v !== undefined);
    return values.length ? Math.round(median(values)) : undefined;
  };
  const row = {
    framework: label,
    bareRps: Math.round(rps('bare')),
    shieldRps: Math.round(rps('shield')),
    ratio: Number((rps('shield') / rps('bare')).toFixed(3)),
    ...(results.diy
      ? { diyRps: Math.round(rps('diy')), diyRatio: Number((rps('diy') / rps('bare')).toFixed(3)) }
      : {}),
    bareP99ms: median(results.bare.map((r) => r.p99)),
    shieldP99ms: median(results.shield.map((r) => r.p99)),
    ...(results.diy ? { diyP99ms: median(results.diy.map((r) => r.p99)) } : {}),
    bareCpuUs: cpu('bare'),
    shieldCpuUs: cpu('shield'),
    ...(results.diy ? { diyCpuUs: cpu('diy') } : {}),
    non2xx: Object.values(results)
      .flat()
      .reduce((sum, r) => sum + r.non2xx, 0),
  };
  return row;
}

console.log(
  `AI Shield HTTP bench: ${connections} connections, ${duration} s x ${rounds} rounds per side, ~${averageBody} B chat bodies from ${CLIENTS} clients (${bodies.length} distinct prompts), ${pin ? 'server on CPU 0, load on CPU 1' : 'no CPU pinning'}`,
);
const targets = [
  ['express 5', 'express.mjs'],
  ['koa 3', 'koa.mjs'],
  ['nestjs 11', 'nest.mjs'],
  ['hono 4', 'hono.mjs'],
];
// BENCH_ONLY=express,hono runs a subset.
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim().toLowerCase());
const selected = targets.filter(([label]) => !only || only.some((name) => label.startsWith(name)));
progress.total = selected.length * rounds * modes.length;
console.error(
  `${progress.total} measurements of ~${2 * duration} s each, ~${Math.ceil((progress.total * 2 * duration) / 60)} min in all`,
);
const rows = [];
for (const [label, script] of selected) rows.push(await compare(label, script));
console.table(rows);
for (const row of rows) {
  console.log(
    `${row.framework}: aiShield() defaults keep ${(row.ratio * 100).toFixed(1)}% of bare throughput (${row.shieldRps} vs ${row.bareRps} req/s); p99 ${row.shieldP99ms} ms vs ${row.bareP99ms} ms` +
      (row.diyRps !== undefined
        ? `; DIY stack ${(row.diyRatio * 100).toFixed(1)}% (${row.diyRps} req/s, p99 ${row.diyP99ms} ms)`
        : ''),
  );
}
if (rows.some((row) => row.non2xx > 0)) {
  console.error('Some requests failed (non-2xx or errors): the figures above are not comparable.');
  process.exitCode = 1;
}

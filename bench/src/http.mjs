#!/usr/bin/env node
/**
 * `pnpm bench`: throughput and p99 of the bare framework vs the framework + aiShield() defaults, measured
 * in the same run on a ~1 KB chat request. Server pinned to CPU 0, load generator (autocannon) to CPU 1
 * when taskset is available. Rounds alternate bare/shield to spread machine noise over both.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 2), BENCH_CONNECTIONS (default 10),
 * BENCH_CLIENTS (simulated client addresses, default 20000), BENCH_ONLY (e.g. `express,hono`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const duration = Number(process.env.BENCH_DURATION ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const pin = spawnSync('taskset', ['--version']).status === 0 && (await import('node:os')).cpus().length >= 2;

// ~1 KB chat requests from many clients, as a reverse proxy would pass them on: each request comes from
// one of CLIENTS addresses (X-Forwarded-For, trusted from loopback by the shield; ignored by bare apps)
// and carries one of many distinct prompts, so the per-client checks (minimum interval, repeated input,
// budgets) see realistic traffic rather than one client hammering one prompt.
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20_000);
const cities = [
  'Lisbon',
  'Porto',
  'Seville',
  'Valencia',
  'Bologna',
  'Lyon',
  'Ghent',
  'Krakow',
  'Ljubljana',
  'Tallinn',
];
const months = ['March', 'April', 'May', 'June', 'September', 'October'];
const companions = ['my partner', 'two friends', 'my parents', 'our teenage kids', 'a colleague'];
const likes = [
  'walking, seafood, small museums',
  'markets, street food, jazz bars',
  'cycling, parks, bookshops',
  'architecture, wine, quiet viewpoints',
];
const bodies = [];
for (const city of cities)
  for (const month of months)
    for (const who of companions)
      for (const like of likes)
        bodies.push(
          JSON.stringify({
            model: 'stand-in',
            messages: [
              {
                role: 'system',
                content: 'You are a helpful travel assistant. Answer briefly and cite no sources.',
              },
              {
                role: 'user',
                content: `I am planning a long weekend in ${city} in early ${month} with ${who}. We like ${like} rather than crowded tourist spots. Could you suggest a relaxed three-day plan, including which neighbourhoods to stay in, how to get around without a car, and one or two day trips that are easy by train? We would also like to know what the weather is usually like at that time of year and whether we should book restaurants in advance. Please keep the answer practical and mention approximate costs where you can, in euros. One of us does not eat meat and the other prefers to avoid long queues, so tips for good vegetarian places and for visiting the popular sights early in the morning would help a lot, as would a rainy-day alternative for each day.`,
              },
            ],
          }),
        );
const averageBody = Math.round(bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length);
let sequence = 0;
const nextRequest = (request) => {
  const n = sequence++;
  const client = (n * 7919) % CLIENTS; // a permutation: clients take turns
  request.headers = {
    'content-type': 'application/json',
    'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`,
  };
  request.body = bodies[(n * 31) % bodies.length];
  return request;
};

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startServer(script, mode) {
  const port = await freePort();
  const args = [join(here, 'servers', script)];
  const child = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], {
        env: { ...process.env, MODE: mode, PORT: String(port), NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, args, {
        env: { ...process.env, MODE: mode, PORT: String(port), NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${script} ${mode} exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
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

async function measure(script, mode) {
  const server = await startServer(script, mode);
  try {
    await load(server.url).then(
      () => undefined,
      () => undefined,
    ); // warm-up is the first second of a short run
    const result = await load(server.url);
    const non2xx = result.non2xx + result.errors;
    return { rps: result.requests.average, p99: result.latency.p99, non2xx };
  } finally {
    await server.stop();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Progress on stderr (the table and the summary stay on stdout): one line per measurement, with an
// estimate of the time left (each measurement is a warm-up run and a measured run of `duration` s).
const progress = { done: 0, total: 0, started: Date.now() };
async function measureWithProgress(label, script, mode, round) {
  const result = await measure(script, mode);
  progress.done++;
  const perRun = (Date.now() - progress.started) / progress.done;
  const left = Math.ceil(((progress.total - progress.done) * perRun) / 1000);
  console.error(
    `[${progress.done}/${progress.total}] ${label} ${mode} round ${round + 1}: ${Math.round(result.rps)} req/s, p99 ${result.p99} ms${left > 0 ? ` (~${left} s left)` : ''}`,
  );
  return result;
}

async function compare(label, script) {
  const bare = [];
  const shield = [];
  for (let round = 0; round < rounds; round++) {
    bare.push(await measureWithProgress(label, script, 'bare', round));
    shield.push(await measureWithProgress(label, script, 'shield', round));
  }
  const bareRps = median(bare.map((r) => r.rps));
  const shieldRps = median(shield.map((r) => r.rps));
  const row = {
    framework: label,
    bareRps: Math.round(bareRps),
    shieldRps: Math.round(shieldRps),
    ratio: Number((shieldRps / bareRps).toFixed(3)),
    bareP99ms: median(bare.map((r) => r.p99)),
    shieldP99ms: median(shield.map((r) => r.p99)),
    non2xx: [...bare, ...shield].reduce((sum, r) => sum + r.non2xx, 0),
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
progress.total = selected.length * rounds * 2;
console.error(
  `${progress.total} measurements of ~${2 * duration} s each, ~${Math.ceil((progress.total * 2 * duration) / 60)} min in all`,
);
const rows = [];
for (const [label, script] of selected) rows.push(await compare(label, script));
console.table(rows);
for (const row of rows) {
  console.log(
    `${row.framework}: aiShield() defaults keep ${(row.ratio * 100).toFixed(1)}% of bare throughput (${row.shieldRps} vs ${row.bareRps} req/s); p99 ${row.shieldP99ms} ms vs ${row.bareP99ms} ms`,
  );
}
if (rows.some((row) => row.non2xx > 0)) {
  console.error('Some requests failed (non-2xx or errors): the figures above are not comparable.');
  process.exitCode = 1;
}

/**
 * `pnpm --dir bench run bench:fleet` (after pnpm build; needs redis-server on the PATH): what running as
 * a fleet costs, for docs/scaling.md.
 *
 * - Round trips: an in-process shield with `stores: createRedisStores(redis)` answers allowed chat
 *   requests from many clients, allowed numeric predictions, and refused requests (over budget); Redis's
 *   own `INFO commandstats` (reset before each scenario) counts the commands each request cost.
 * - Throughput: the Express example (`examples/express-chat`, REDIS_URL set, as in production) as one
 *   process, and as two processes on two ports with the load split between them, against the same Redis;
 *   plus one process without Redis (in-memory state) for reference. autocannon, ~1 KB prompts from 20,000
 *   client addresses (X-Forwarded-For), budgets high enough that nothing is refused.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (total, default 20), BENCH_REQUESTS (per
 * round-trip scenario, default 500), BENCH_ONLY=trips (skip the throughput runs).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createShield } from '@ai-shield/core';
import { createRedisStores } from '@ai-shield/core/node';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const perScenario = Number(process.env.BENCH_REQUESTS ?? 500);
const silent = { warn() {}, error() {} };

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function startRedis() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('Ready to accept') && resolve());
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return { port, stop: () => child.kill('SIGKILL') };
}

const prompt = (n) =>
  `Trip ${n % 997}: a relaxed three-day plan for city ${n % 31} in month ${n % 12}, for people who like walking, museums and food markets; how to get around without a car, and a rainy-day alternative for each day.`;
const ip = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function commandStats(redis) {
  const text = await redis.info('commandstats');
  const out = {};
  for (const line of text.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match && !/^(info|config)/.test(match[1])) out[match[1]] = Number(match[2]);
  }
  return out;
}

async function roundTrips(redisPort) {
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
  const stats = new Redis({ port: redisPort, host: '127.0.0.1' });
  // Calls made before the client is connected fail and mark the store down for a second: wait for it.
  await Promise.all([redis, stats].map((client) => new Promise((resolve) => client.once('ready', resolve))));
  // Round trips as the client makes them: a MULTI ... EXEC block (one write, one reply) counts once.
  const trips = {};
  let inMulti = false;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const name = command.name.toLowerCase();
    if (name === 'multi') {
      inMulti = true;
      trips['multi/exec'] = (trips['multi/exec'] ?? 0) + 1;
    } else if (name === 'exec') inMulti = false;
    else if (!inMulti) trips[name] = (trips[name] ?? 0) + 1;
    return send(command, stream);
  };
  const shield = createShield({
    env: false,
    logger: silent,
    trustProxy: true,
    stores: createRedisStores(redis),
    rate: { perIp: { points: 3, durationSec: 60 }, minIntervalMs: 1000 },
    // An alert channel, so that the alert rules run (and their shared windows are counted); it drops alerts.
    alerts: { channels: [{ name: 'discard', async send() {} }] },
  });
  const scenarios = [
    [
      'chat, allowed (new client each request)',
      (n) => ({
        method: 'POST',
        path: '/v1/chat',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip(n) },
        socketIp: '127.0.0.1',
        bodyText: JSON.stringify({ messages: [{ role: 'user', content: prompt(n) }] }),
      }),
    ],
    [
      'predict, allowed (numeric input; baselines merged every 16 samples)',
      (n) => ({
        method: 'POST',
        path: '/v1/predict',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip(100_000 + n) },
        socketIp: '127.0.0.1',
        bodyText: JSON.stringify({ input: Array.from({ length: 16 }, (_, i) => Math.sin(i + n) / 2) }),
      }),
    ],
    [
      'chat, refused (one client over its budget: incident, alert window)',
      (n) => ({
        method: 'POST',
        path: '/v1/chat',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.77' },
        socketIp: '127.0.0.1',
        bodyText: JSON.stringify({ messages: [{ role: 'user', content: prompt(n) }] }),
      }),
    ],
  ];
  const rows = [];
  for (const [name, make] of scenarios) {
    // Warm up scripts (EVALSHA after the first EVAL) and the refused client's budget, outside the count.
    for (let n = 0; n < 5; n++) await shield.protect(make(n + 10_000_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stats.config('RESETSTAT');
    for (const key of Object.keys(trips)) delete trips[key];
    for (let n = 0; n < perScenario; n++) await shield.protect(make(n));
    await shield.flush();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const counted = await commandStats(stats);
    const total = Object.values(counted).reduce((a, b) => a + b, 0);
    const tripTotal = Object.values(trips).reduce((a, b) => a + b, 0);
    rows.push({
      name,
      trips: tripTotal / perScenario,
      tripsBy: Object.entries(trips)
        .map(([command, calls]) => `${command} ${(calls / perScenario).toFixed(2)}`)
        .join(', '),
      perRequest: total / perScenario,
      commands: Object.entries(counted)
        .map(([command, calls]) => `${command} ${(calls / perScenario).toFixed(2)}`)
        .join(', '),
    });
  }
  await shield.close();
  redis.disconnect();
  stats.disconnect();
  return rows;
}

async function startExample(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'examples', 'express-chat', 'src', 'server.mjs')], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      AI_SHIELD_RATE_LIMIT: '1000000/minute',
      AI_SHIELD_MIN_REQUEST_INTERVAL: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`example exited with ${code}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

let sequence = 0;
const nextRequest = (request) => {
  const n = sequence++;
  request.headers = { 'content-type': 'application/json', 'x-forwarded-for': ip((n * 7919) % 20_000) };
  request.body = JSON.stringify({
    messages: [{ role: 'user', content: `${prompt(n)} ${'More detail please. '.repeat(40)}` }],
  });
  return request;
};

function load(url, conns) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/chat`,
        requests: [{ method: 'POST', path: '/v1/chat', setupRequest: nextRequest }],
        connections: conns,
        duration,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function throughput(label, env, instances) {
  const servers = [];
  for (let i = 0; i < instances; i++) servers.push(await startExample(env));
  try {
    const per = Math.max(1, Math.round(connections / instances));
    const results = await Promise.all(servers.map((server) => load(server.url, per)));
    const requests = results.reduce((sum, r) => sum + r.requests.total, 0);
    const non2xx = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    const p99 = Math.max(...results.map((r) => r.latency.p99));
    return { label, rps: requests / duration, p99, non2xx };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

const redis = await startRedis();
try {
  console.log(`Redis per request (${perScenario} requests per scenario; commands from INFO commandstats):`);
  for (const row of await roundTrips(redis.port)) {
    console.log(`  ${row.name}:`);
    console.log(`    round trips ${row.trips.toFixed(2)} (${row.tripsBy})`);
    console.log(
      `    commands run by Redis, Lua and MULTI bodies included, ${row.perRequest.toFixed(2)} (${row.commands})`,
    );
  }
  const url = `redis://127.0.0.1:${redis.port}`;
  console.log(`\nThroughput, express-chat example, ${connections} connections in total, ${duration} s each:`);
  const runs =
    process.env.BENCH_ONLY === 'trips'
      ? []
      : [
          ['1 instance, in-memory state', {}, 1],
          ['1 instance, Redis', { REDIS_URL: url }, 1],
          ['2 instances, one Redis', { REDIS_URL: url }, 2],
        ];
  for (const [label, env, n] of runs) {
    const r = await throughput(label, env, n);
    console.log(`  ${r.label}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, non-2xx ${r.non2xx}`);
  }
} finally {
  redis.stop();
}

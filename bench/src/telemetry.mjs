/**
 * `pnpm --dir bench run bench:telemetry` (after pnpm build): what recording every decision costs.
 *
 * - Allocation per request, telemetry off vs on, measured in young-generation bytes with the scavenger
 *   kept out of the window (a large semi-space, and a window that is discarded if a GC ran in it). This
 *   number does not depend on how busy the machine is.
 * - Time per request, interleaved A/B rounds in one process (median of the rounds): the bare pipeline
 *   (every stage off, so little but the recording is left) and the default pipeline. The cost of one
 *   recording alone, with and without an OpenTelemetry SDK: packages/core/scripts/bench-recorder.ts.
 *
 * Run with: node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 src/telemetry.mjs
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { createShield } from '@ai-shield/core';

if (typeof globalThis.gc !== 'function') {
  console.error(
    'run with: node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64 src/telemetry.mjs',
  );
  process.exit(2);
}

const off = { enabled: false };
const bareOptions = {
  env: false,
  access: off,
  rate: off,
  validation: off,
  detection: off,
  output: off,
  audit: off,
  incidents: off,
};
const body = JSON.stringify({
  messages: [{ role: 'user', content: 'Could you suggest a relaxed three-day plan for Lisbon? '.repeat(16) }],
});
let n = 0;
const request = () => {
  const c = (n++ * 7919) % 20000;
  return {
    method: 'POST',
    path: '/v1/chat',
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-forwarded-for': `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`,
    },
    socketIp: '127.0.0.1',
    bodyText: body,
  };
};

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;

/** Young-generation bytes per protect() call, from the cleanest of several windows. */
async function bytesPerRequest(shield, iterations) {
  const requests = Array.from({ length: iterations }, request);
  for (let i = 0; i < 3000; i++) await shield.protect(request()); // warm up (JIT)
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 8; attempt++) {
    globalThis.gc();
    // The observer hears of that collection a little later; let it, so it is not counted in the window.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const gcsBefore = gcs;
    const before = newSpace();
    for (const req of requests) await shield.protect(req);
    const after = newSpace();
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (gcs === gcsBefore && after >= before) best = Math.min(best, (after - before) / iterations);
  }
  return best;
}

async function timePerRequest(shield, iterations) {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await shield.protect(request());
  return ((performance.now() - start) / iterations) * 1000;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function ab(label, makeA, makeB, iterations, rounds = 9) {
  const a = makeA();
  const b = makeB();
  for (let i = 0; i < 2000; i++) {
    await a.protect(request());
    await b.protect(request());
  }
  const ta = [];
  const tb = [];
  for (let r = 0; r < rounds; r++) {
    ta.push(await timePerRequest(a, iterations));
    tb.push(await timePerRequest(b, iterations));
  }
  const [ma, mb] = [median(ta), median(tb)];
  console.log(
    `${label.padEnd(44)} ${ma.toFixed(2).padStart(8)} us  ->  ${mb.toFixed(2).padStart(8)} us   (${(mb - ma >= 0 ? '+' : '') + (mb - ma).toFixed(2)} us)`,
  );
}

// BENCH_ONLY=alloc or BENCH_ONLY=time runs one half.
const only = process.env.BENCH_ONLY;
if (only !== 'time')
  console.log('Allocation per request (young generation, bytes; the lowest of 8 GC-free windows)');
for (const [label, options, iterations] of [
  ['bare pipeline', bareOptions, 2000],
  ['defaults', { env: false, trustProxy: ['loopback'] }, 300],
]) {
  if (only === 'time') break;
  const withoutTelemetry = await bytesPerRequest(createShield({ ...options, telemetry: off }), iterations);
  const withTelemetry = await bytesPerRequest(createShield(options), iterations);
  console.log(
    `  ${label.padEnd(20)} telemetry off ${withoutTelemetry.toFixed(0).padStart(7)}   on ${withTelemetry.toFixed(0).padStart(7)}   difference ${(withTelemetry - withoutTelemetry).toFixed(0)}`,
  );
}

if (only === 'alloc') process.exit(0);
console.log('\nTime per request, median of interleaved rounds (telemetry off -> on)');
await ab(
  'bare pipeline',
  () => createShield({ ...bareOptions, telemetry: off }),
  () => createShield(bareOptions),
  50_000,
);
await ab(
  'defaults',
  () => createShield({ env: false, trustProxy: ['loopback'], telemetry: off }),
  () => createShield({ env: false, trustProxy: ['loopback'] }),
  4_000,
);

/**
 * `pnpm --dir bench run bench:alloc`: bytes allocated per request by protect() + checkResponse() on
 * the ~1 KB benign chat requests of bench:pipeline, and where they are allocated. Uses V8's sampling
 * heap profiler with collected objects included (so it counts garbage, what drives GC time, not only
 * what survives). BENCH_CORE=<folder of a built @ai-shield/core dist> measures another build.
 * Env: BENCH_REQUESTS (default 20,000), ALLOC_TOP (default 25).
 */
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { heapProfileSummary } from './lib/profile-summary.mjs';
import { bodies } from './lib/traffic.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const { createShield } = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'index.mjs')).href)
  : await import('@ai-shield/core');

const shield = createShield({ env: false, trustProxy: ['loopback'] });
const response = {
  status: 200,
  body: {
    id: 'x',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny with a light breeze.' } }],
  },
};
let n = 0;
async function once() {
  const k = n++;
  const client = (k * 7919) % 20000;
  const body = bodies[(k * 31) % bodies.length];
  const decision = await shield.protect({
    method: 'POST',
    path: '/v1/chat',
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`,
    },
    socketIp: '127.0.0.1',
    bodyText: body,
  });
  shield.checkResponse(response, decision);
}
for (let i = 0; i < 5000; i++) await once();

const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 512,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let i = 0; i < REQUESTS; i++) await once();
const { profile } = await session.post('HeapProfiler.stopSampling');
session.disconnect();
await shield.close();

const summary = heapProfileSummary(profile, Number(process.env.ALLOC_TOP ?? 25));
console.log(
  `${(summary.totalBytes / REQUESTS / 1024).toFixed(1)} KB allocated per request (protect + checkResponse, ${REQUESTS} requests, sampled every 512 B)\n`,
);
for (const line of summary.lines) console.log(line);

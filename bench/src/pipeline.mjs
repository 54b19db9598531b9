/**
 * `pnpm --dir bench run bench:pipeline`: the in-process cost of the pipeline per ~1 KB chat request
 * (protect + checkResponse), from 20k simulated clients, with each default stage turned off in turn so
 * the differences show what each stage costs (and the in-process telemetry, which records every decision). BENCH_CORE=<folder of a built @ai-shield/core dist>
 * measures another build; BENCH_ONLY=defaults runs the first case only.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// BENCH_REQUESTS / BENCH_WARMUP: fewer requests, e.g. for instruction counts under valgrind.
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5000);
const { createShield } = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'index.mjs')).href)
  : await import('@ai-shield/core');

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
const bodies = cities.flatMap((c) =>
  Array.from({ length: 120 }, (_, j) =>
    JSON.stringify({
      model: 's',
      messages: [
        {
          role: 'system',
          content: 'You are a helpful travel assistant. Answer briefly and cite no sources.',
        },
        {
          role: 'user',
          content: `I am planning a long weekend in ${c} number ${j} with my partner. We like walking, seafood, small museums and quiet viewpoints rather than crowded tourist spots. Could you suggest a relaxed three-day plan, including which neighbourhoods to stay in, how to get around without a car, and one or two day trips that are easy by train? We would also like to know what the weather is usually like at that time of year and whether we should book restaurants in advance. Please keep the answer practical and mention approximate costs where you can, in euros. One of us does not eat meat and the other prefers to avoid long queues.`,
        },
      ],
    }),
  ),
);
const resp = (len) => ({
  status: 200,
  body: {
    id: 'x',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: `You asked ${len} characters about the weather in Lisbon. It will be sunny with a light breeze in the afternoon.`,
        },
        finish_reason: 'stop',
      },
    ],
  },
});
async function run(label, options) {
  const shield = createShield({ env: false, trustProxy: ['loopback'], ...options });
  let n = 0;
  const once = async () => {
    const k = n++;
    const c = (k * 7919) % 20000;
    const body = bodies[(k * 31) % bodies.length];
    const d = await shield.protect({
      method: 'POST',
      path: '/v1/chat',
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'x-forwarded-for': `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`,
      },
      socketIp: '127.0.0.1',
      bodyText: body,
    });
    shield.checkResponse(resp(body.length), d);
    return d;
  };
  for (let i = 0; i < WARMUP; i++) await once();
  const N = REQUESTS;
  const t = performance.now();
  let flagged = 0;
  for (let i = 0; i < N; i++) {
    const d = await once();
    if (d.action !== 'allow') flagged++;
  }
  console.log(
    label.padEnd(28),
    (((performance.now() - t) / N) * 1000).toFixed(1),
    'us/request',
    `(${flagged} not allowed)`,
  );
}
await run('defaults', {});
if (process.env.BENCH_ONLY === 'defaults') process.exit(0);
await run('telemetry off', { telemetry: { enabled: false } });
await run('behavior off', { detection: { behavior: { enabled: false } } });
await run('text scan + behavior off', { detection: { behavior: { enabled: false }, textPaths: ['-'] } });
await run('detection off', { detection: { enabled: false } });
await run('detection + output off', { detection: { enabled: false }, output: { enabled: false } });
await run('... + rate off', {
  detection: { enabled: false },
  output: { enabled: false },
  rate: { enabled: false },
});
// What a token budget check adds (issue 19): bench/src/pipeline-budget.mjs.
if (process.env.BENCH_ONLY !== 'no-budget') await import('./pipeline-budget.mjs');

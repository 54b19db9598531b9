/**
 * Part of `bench:pipeline` (issue 19): what a token budget check adds to `protect()` per ~1 KB chat
 * request, tokenizing the prompt included. Per-request latencies of `protect()` alone (the response is
 * settled and the slot released outside the timed part), p50 over rounds that alternate the cases so
 * machine noise hits them alike. The baseline is the lean pipeline (detection, output and rate off), so
 * the difference is not drowned in the ~200 µs of the default stages; the default pipeline with a budget
 * is printed too. BENCH_BUDGET_ROUNDS / BENCH_BUDGET_REQUESTS: rounds and requests per round and case.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROUNDS = Number(process.env.BENCH_BUDGET_ROUNDS ?? 7);
const PER_ROUND = Number(process.env.BENCH_BUDGET_REQUESTS ?? 3000);
const { createShield } = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'index.mjs')).href)
  : await import('@ai-shield/core');

const prompt = (i) =>
  `I am planning a long weekend in city number ${i} with my partner. We like walking, seafood, small museums and quiet viewpoints rather than crowded tourist spots. Could you suggest a relaxed three-day plan, including which neighbourhoods to stay in, how to get around without a car, and one or two day trips that are easy by train? We would also like to know what the weather is usually like at that time of year and whether we should book restaurants in advance. Please keep the answer practical and mention approximate costs where you can, in euros. One of us does not eat meat and the other prefers to avoid long queues.`;
const bodies = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    max_tokens: 400,
    messages: [
      { role: 'system', content: 'You are a helpful travel assistant. Answer briefly and cite no sources.' },
      { role: 'user', content: prompt(i) },
    ],
  }),
);
// Prompts that share few words: 1 KB slices of this repository's docs (tables, code, prose), so the
// tokenizer's merge cache helps less than on the travel prompts above, which differ in one number.
const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const docsText = readdirSync(docs)
  .filter((name) => name.endsWith('.md'))
  .map((name) => readFileSync(join(docs, name), 'utf8'))
  .join('\n');
const variedBodies = [];
for (let i = 0; i + 1024 <= docsText.length && variedBodies.length < 1000; i += 1024) {
  variedBodies.push(
    JSON.stringify({
      model: 'gpt-4o-mini',
      max_tokens: 400,
      messages: [{ role: 'user', content: docsText.slice(i, i + 1024) }],
    }),
  );
}
const response = {
  status: 200,
  body: {
    choices: [{ index: 0, message: { role: 'assistant', content: 'Day one: the old town.' } }],
    usage: { prompt_tokens: 230, completion_tokens: 120 },
  },
};

const lean = {
  detection: { enabled: false },
  output: { enabled: false },
  rate: { enabled: false },
  telemetry: { enabled: false },
};
const budget = (tokenizer) => ({
  perClient: { tokens: 1_000_000_000, durationSec: 60 },
  perIdentity: false,
  tokenizer,
  prices: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
});
const cases = [
  ['lean', lean],
  ['lean + budget (estimate)', { ...lean, budget: budget('estimate') }],
  ['lean + budget (o200k_base)', { ...lean, budget: budget('o200k_base') }],
  [
    'lean + budget (o200k) + concurrency',
    { ...lean, budget: budget('o200k_base'), concurrency: { perClient: 100 } },
  ],
  ['lean, varied text', lean, variedBodies],
  ['lean + budget (estimate), varied text', { ...lean, budget: budget('estimate') }, variedBodies],
  ['lean + budget (o200k_base), varied text', { ...lean, budget: budget('o200k_base') }, variedBodies],
  ['defaults', {}],
  ['defaults + budget (o200k_base)', { budget: budget('o200k_base') }],
];

const shields = cases.map(([label, options, texts = bodies]) => ({
  label,
  texts,
  shield: createShield({ env: false, trustProxy: ['loopback'], audit: { enabled: false }, ...options }),
  samples: [],
  n: 0,
}));

async function once(entry, record) {
  const k = entry.n++;
  const c = (k * 7919) % 20000;
  const body = entry.texts[k % entry.texts.length];
  const start = performance.now();
  const decision = await entry.shield.protect({
    method: 'POST',
    path: '/v1/chat',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`,
    },
    socketIp: '127.0.0.1',
    bodyText: body,
  });
  const elapsed = performance.now() - start;
  if (record) entry.samples.push(elapsed);
  entry.shield.checkResponse(response, decision);
  await entry.shield.finish(decision);
}

const p50 = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Warm-up (loads the tokenizer, fills the counter tables).
for (const entry of shields) for (let i = 0; i < 2000; i++) await once(entry, false);
const perRound = shields.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, entry] of shields.entries()) {
    entry.samples = [];
    for (let i = 0; i < PER_ROUND; i++) await once(entry, true);
    perRound[index].push(p50(entry.samples) * 1000);
  }
}
console.log(
  `\nToken budget check (${ROUNDS} rounds x ${PER_ROUND} requests, ~1 KB prompt; protect() p50, median of rounds)`,
);
const results = shields.map((entry, index) => ({ label: entry.label, p50: p50(perRound[index]) }));
const base = (label) => results.find((r) => r.label === label).p50;
for (const { label, p50: value } of results) {
  const ref = label.startsWith('defaults')
    ? base('defaults')
    : label.endsWith('varied text')
      ? base('lean, varied text')
      : base('lean');
  const delta = ['lean', 'defaults', 'lean, varied text'].includes(label)
    ? ''
    : ` (+${(value - ref).toFixed(1)} us)`;
  console.log(`  ${label.padEnd(38)} ${value.toFixed(1)} us${delta}`);
}

/**
 * `pnpm --dir bench run bench:soak`: memory under a flood of distinct clients (issue 13). Sends one
 * request from each of SOAK_CLIENTS distinct addresses (default 1,000,000: IPv4 and IPv6 /64s) through
 * `createShield().protect()` with the defaults, and reports every SOAK_EVERY clients: heap used after a
 * full GC, RSS, live timers and the in-memory counters held. Fails (exit 1) when the heap grows past
 * SOAK_CEILING_MB (default 96) above its level before the flood.
 *
 * Runs with --expose-gc (see package.json). BENCH_CORE=<folder of a built @ai-shield/core dist> measures
 * another build (e.g. the one before this change) with the same traffic.
 */
import { createHook } from 'node:async_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const clients = Number(process.env.SOAK_CLIENTS ?? 1_000_000);
const every = Number(process.env.SOAK_EVERY ?? 100_000);
const ceilingMb = Number(process.env.SOAK_CEILING_MB ?? 96);
const core = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'index.mjs')).href)
  : await import('@ai-shield/core');

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const store = core.createMemoryStore();
const hasStats = typeof store.stats === 'function';
const shield = core.createShield({
  env: false,
  logger: { warn() {}, error() {} },
  // An explicit memory store so that its counters can be read; the same store the default creates.
  rate: { store },
});

/** Client n: an IPv4 address for even n, an address in its own IPv6 /64 for odd n. */
function address(n) {
  if (n % 2 === 0) return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  return `2001:db8:${((n >> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::${(n % 7) + 1}`;
}

// Live Timeout objects, unref'd ones included (process.getActiveResourcesInfo() lists only ref'd ones).
const timerIds = new Set();
createHook({
  init(id, type) {
    if (type === 'Timeout') timerIds.add(id);
  },
  destroy(id) {
    timerIds.delete(id);
  },
}).enable();
const timers = () => timerIds.size;
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage();
}
function tracked() {
  if (!hasStats) return undefined;
  return Object.values(store.stats()).reduce((sum, table) => sum + table.size, 0);
}

const body = (n) =>
  JSON.stringify({ messages: [{ role: 'user', content: `What is a good name for a cat? (${n})` }] });

// Warm up the code paths with a few clients, then take the baseline.
for (let n = 0; n < 1000; n++) {
  await shield.protect({
    method: 'POST',
    path: '/v1/chat',
    headers: { 'content-type': 'application/json' },
    socketIp: `192.0.2.${n & 255}`,
    bodyText: body(n),
  });
}
const base = heap();
console.log(
  `baseline: heap ${mb(base.heapUsed)} MB, rss ${mb(base.rss)} MB, timers ${timers()}; ${clients.toLocaleString('en')} clients, one request each`,
);
let peak = 0;
const started = performance.now();
for (let n = 1; n <= clients; n++) {
  const decision = await shield.protect({
    method: 'POST',
    path: '/v1/chat',
    headers: { 'content-type': 'application/json' },
    socketIp: address(n),
    bodyText: body(n),
  });
  if (decision.status !== 200 && n < 10) console.log('unexpected', decision.status, decision.reasons);
  if (n % every === 0 || n === clients) {
    const now = heap();
    const grown = now.heapUsed - base.heapUsed;
    peak = Math.max(peak, grown);
    const held = tracked();
    console.log(
      `${n.toLocaleString('en').padStart(9)} clients: heap +${mb(grown)} MB (rss ${mb(now.rss)} MB), timers ${timers()}` +
        (held !== undefined ? `, counters held ${held.toLocaleString('en')}` : '') +
        `, ${(((performance.now() - started) / n) * 1000).toFixed(0)} us/request`,
    );
  }
}
const stats = hasStats ? store.stats() : {};
for (const [prefix, table] of Object.entries(stats)) {
  console.log(
    `  ${prefix}: ${table.size.toLocaleString('en')} held, ${table.evicted.toLocaleString('en')} evicted`,
  );
}
// Clients tracked at once: the per-IP counters (the largest table); every other structure is smaller.
const clientsHeld = stats['ais:g:ip']?.size;
if (clientsHeld) {
  console.log(
    `peak heap growth ${mb(peak)} MB with ${clientsHeld.toLocaleString('en')} clients tracked at once (caps: rate.maxClients ${shield.options.rate.maxClients.toLocaleString('en')} per counter, detection.behavior.maxClients ${shield.options.detection.behavior.maxClients.toLocaleString('en')}): ${(peak / clientsHeld).toFixed(0)} bytes per tracked client, all structures included`,
  );
}
if (peak > ceilingMb * 1024 * 1024) {
  console.error(`FAIL: heap grew ${mb(peak)} MB, above the ${ceilingMb} MB ceiling`);
  process.exit(1);
}
console.log(`OK: heap growth stayed under ${ceilingMb} MB`);

/**
 * Audit log benchmark (pnpm --dir bench run bench:audit, after pnpm build):
 * - appends per second for each durability setting (file sink `refusals` with every record a refusal =
 *   fdatasync per group commit, `entry`, `batch`, and the memory sink), with 1 and 64 appends in flight;
 * - verify speed in MB/s (streamed from files, and in memory);
 * - the latency a refusal pays for being on disk before its answer: protect() p50/p99 on blocked
 *   requests with the audit log off, with `acknowledge: 'none'` (queued only), and with the default
 *   `acknowledge: 'refusals'` over the file sink's default durability, 1 and 50 requests in flight.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// BENCH_CORE=<folder of a built @ai-shield/core dist> measures another build (inside the repository).
const core = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'index.mjs')).href)
  : await import('@ai-shield/core');
const coreNode = process.env.BENCH_CORE
  ? await import(pathToFileURL(join(process.env.BENCH_CORE, 'node', 'index.mjs')).href)
  : await import('@ai-shield/core/node');
const { createAuditLog, createMemorySink, createShield, verifyAuditLog } = core;
const { createFileSink, readCheckpointFiles, verifyAuditFiles } = coreNode;

const KEY = 'bench-audit-key-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const record = (i, durable = false) => ({
  type: 'decision',
  durable,
  requestId: `req-${i}`,
  clientIp: `203.0.113.${i % 250}`,
  request: { method: 'POST', path: '/v1/chat' },
  bodyText: `{"messages":[{"role":"user","content":"message number ${i}"}]}`,
  decision: {
    action: 'block',
    status: 403,
    code: 'ERR_DETECTION_THREAT',
    mode: 'enforce',
    risk: { score: 0.91, severity: 'critical' },
    reasons: ['Request blocked as a likely attack'],
    findings: [{ kind: 'injection.instruction_override', severity: 'high', source: 'detection' }],
    failures: [],
  },
});

async function appendRate(makeSink, inFlight, durable) {
  const log = createAuditLog({ sink: makeSink(), instance: 'bench', model: 'bench', hmacKey: KEY });
  await log.append(record(-1)); // open the sink outside the measurement
  let n = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) await log.append(record(n++, durable));
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await log.close();
  return Math.round(n / elapsed);
}

/**
 * Entries sealed per second and per CPU-second when appends arrive faster than the sink takes them
 * (the writer then seals and writes them in batches of up to 256): `batches` rounds of `perBatch`
 * appends queued at once, HMAC-keyed, into the memory sink. This is the issue 15 goal (>= 100,000/s).
 */
async function batchedRate(rounds = 20, perBatch = 2500) {
  const log = createAuditLog({
    sink: createMemorySink({ maxEntries: 1000 }),
    instance: 'bench',
    model: 'bench',
    hmacKey: KEY,
    maxQueue: perBatch * 2,
  });
  await log.append(record(-1));
  let n = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const pending = [];
    for (let i = 0; i < perBatch; i++) pending.push(log.append(record(n++, false)));
    await Promise.all(pending);
  }
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await log.close();
  return { perSec: Math.round(n / elapsed), perCpuSec: Math.round(n / ((used.user + used.system) / 1e6)) };
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function protectLatency(options, inFlight = 1, n = 3000) {
  const shield = createShield({
    env: false,
    logger: { warn() {}, error() {} },
    rate: { enabled: false },
    ...options,
  });
  const request = (i) => ({
    method: 'POST',
    path: '/v1/chat',
    headers: { 'content-type': 'text/plain' }, // 415: a cheap block, audited every time
    socketIp: `198.51.100.${i % 250}`,
    bodyText: 'x',
  });
  for (let i = 0; i < 200; i++) await shield.protect(request(i));
  const samples = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        await shield.protect(request(i));
        samples.push(performance.now() - t);
      }
    }),
  );
  const perSec = Math.round(n / ((performance.now() - started) / 1000));
  await shield.close();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99), perSec };
}

const dirs = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-shield-bench-audit-'));
  dirs.push(dir);
  return dir;
};

try {
  console.log(`# Audit log (${SECONDS} s per run, Node ${process.version})\n`);
  const batched = await batchedRate();
  console.log(
    `batched (memory sink, HMAC, 2,500 appends queued at a time): ${batched.perSec} entries/s, ${batched.perCpuSec} entries per CPU-second\n`,
  );
  if (process.env.BENCH_ONLY === 'batched') process.exit(0);
  console.log('| sink / durability | appends/s, 1 in flight | appends/s, 64 in flight |');
  console.log('|---|---:|---:|');
  const sinks = [
    [
      'file, refusals (default), every record a refusal: fdatasync per group commit',
      () => createFileSink({ dir: tmp(), model: 'bench' }),
      true,
    ],
    [
      'file, entry (fdatasync per ack)',
      () => createFileSink({ dir: tmp(), model: 'bench', durability: 'entry' }),
      false,
    ],
    [
      'file, batch (1 s window)',
      () => createFileSink({ dir: tmp(), model: 'bench', durability: 'batch' }),
      false,
    ],
    ['memory', () => createMemorySink({ maxEntries: 1000 }), false],
  ];
  for (const [name, make, durable] of sinks) {
    console.log(
      `| ${name} | ${await appendRate(make, 1, durable)} | ${await appendRate(make, 64, durable)} |`,
    );
  }

  const dir = tmp();
  const sink = createFileSink({ dir, model: 'verify', durability: 'batch' });
  const log = createAuditLog({
    sink,
    instance: 'bench',
    model: 'verify',
    hmacKey: KEY,
    checkpoints: { every: 1000, intervalSec: 0 },
  });
  const N = Number(process.env.BENCH_VERIFY_ENTRIES ?? 50_000);
  for (let i = 0; i < N; i += 1000)
    await Promise.all(Array.from({ length: 1000 }, (_, j) => log.append(record(i + j))));
  await log.close();
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('security_'))
    .map((f) => join(dir, f));
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const checkpoints = await readCheckpointFiles([sink.checkpointFile]);
  let t = performance.now();
  const streamed = await verifyAuditFiles(files, { hmacKey: KEY, checkpoints });
  const streamedSec = (performance.now() - t) / 1000;
  const { readFileSync } = await import('node:fs');
  const text = files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
  t = performance.now();
  const inMemory = await verifyAuditLog(text, { hmacKey: KEY, checkpoints });
  const memSec = (performance.now() - t) / 1000;
  if (!streamed.ok || !inMemory.ok)
    throw new Error(`verify failed: ${JSON.stringify(streamed.error ?? inMemory.error)}`);
  const mb = bytes / 1e6;
  console.log(
    `\nverify (HMAC, ${streamed.entries} entries, ${mb.toFixed(1)} MB): streamed from files ${(mb / streamedSec).toFixed(1)} MB/s (${Math.round(streamed.entries / streamedSec)} entries/s), in memory ${(mb / memSec).toFixed(1)} MB/s`,
  );

  console.log('\n| protect() on a refused request | in flight | p50 ms | p99 ms | refusals/s |');
  console.log('|---|---:|---:|---:|---:|');
  const rows = [
    ['audit off', () => ({ audit: { enabled: false }, incidents: { enabled: false } })],
    [
      "file sink, acknowledge 'none' (queued, not waited for)",
      () => ({
        audit: { sink: createFileSink({ dir: tmp(), model: 'lat' }), hmacKey: KEY, acknowledge: 'none' },
      }),
    ],
    [
      "file sink, acknowledge 'refusals' (default: on disk, fdatasync'd, before the answer)",
      () => ({ audit: { sink: createFileSink({ dir: tmp(), model: 'lat' }), hmacKey: KEY } }),
    ],
  ];
  for (const inFlight of [1, 50]) {
    for (const [name, options] of rows) {
      const { p50, p99, perSec } = await protectLatency(options(), inFlight);
      console.log(`| ${name} | ${inFlight} | ${p50.toFixed(3)} | ${p99.toFixed(3)} | ${perSec} |`);
    }
  }
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

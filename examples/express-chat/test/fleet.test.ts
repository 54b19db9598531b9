/**
 * Two instances of the example, as separate processes on their own ports, sharing one real redis-server
 * (REDIS_URL) that this test starts, and one real SMTP catcher for alerts. Client addresses come from
 * X-Forwarded-For (the example trusts loopback proxies), as behind a load balancer:
 * (1) a per-IP limit of N per minute admits exactly N requests in total, whichever instance they hit;
 * (2) a client that alternates instances with repeated prompts is caught as one prober;
 * (3) a burst spread over both gives one incident summary and one alert;
 * (4) with Redis killed mid-traffic both keep answering within the store timeout, and counting moves
 *     back to Redis when it returns;
 * (5) both audit chains verify together (`ai-shield audit verify <folder> --heads-redis`), and deleting
 *     one entry in either, or one chain whole, is caught.
 * Outside CI a missing redis-server skips this file with a loud warning; under CI=true it fails.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, redisAvailable, startRedis } from '../../../packages/core/test/redis-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const TOKEN = 'fleet-test-dashboard-token-0123456789';
const HMAC = 'fleet-test-audit-hmac-key-0123456789';
const LIMIT = 20;
const STORE_TIMEOUT_MS = 250;

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  output: () => string;
}

function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['src/server.mjs'], {
    cwd: join(here, '..'),
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ name, url: match[1]!, child, output: () => output });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = once(instance.child, 'exit');
  // SIGTERM: the example closes the shield, so queued audit entries, checkpoints and heads are written.
  instance.child.kill('SIGTERM');
  await exited;
}

async function chat(instance: Instance, ip: string, content: string) {
  const started = performance.now();
  const response = await fetch(`${instance.url}/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ messages: [{ role: 'user', content }] }),
  });
  const body = await response.text();
  return {
    status: response.status,
    ms: performance.now() - started,
    action: response.headers.get('x-ai-shield-action'),
    reason: response.headers.get('x-ai-shield-reason') ?? '',
    body,
  };
}

async function summary(instance: Instance) {
  const response = await fetch(`${instance.url}/ai-shield/api/summary`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    summary: { total: number; byType: Record<string, number>; partial?: string };
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function verify(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(root, 'packages', 'cli', 'bin', 'ai-shield.mjs'), 'audit', 'verify', ...args],
    { env: { PATH: process.env.PATH, AI_SHIELD_AUDIT_HMAC_KEY: HMAC }, encoding: 'utf8' },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.skipIf(!redisAvailable())('two example instances sharing one Redis', () => {
  let redis: RedisServer;
  let smtp: SMTPServer;
  const mails: string[] = [];
  let logs: string;
  let instances: Instance[] = [];
  const a = () => instances[0]!;
  const b = () => instances[1]!;

  beforeAll(async () => {
    redis = await startRedis();
    smtp = new SMTPServer({
      // A development mail catcher (as Mailpit): loopback, no TLS, no auth (AI_SHIELD_SMTP_SECURITY=none).
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        stream.on('end', () => {
          mails.push(text);
          callback();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    logs = mkdtempSync(join(tmpdir(), 'ai-shield-fleet-'));
    const env = (instance: string) => ({
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      AI_SHIELD_RATE_LIMIT: `${LIMIT}/minute`,
      AI_SHIELD_MIN_REQUEST_INTERVAL: '0',
      AI_SHIELD_STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS),
      AI_SHIELD_SECURITY_LOG_PATH: logs,
      AI_SHIELD_AUDIT_INSTANCE: instance,
      AI_SHIELD_AUDIT_HMAC_KEY: HMAC,
      AI_SHIELD_SMTP_SERVER: '127.0.0.1',
      AI_SHIELD_SMTP_PORT: String((smtp.server.address() as { port: number }).port),
      AI_SHIELD_SMTP_SECURITY: 'none',
      AI_SHIELD_ALERT_RECIPIENTS: 'security@localhost',
      AI_SHIELD_DASHBOARD_TOKEN: TOKEN,
      AI_SHIELD_DEBUG_HEADERS: '1',
    });
    instances = await Promise.all([startInstance('a', env('api-a')), startInstance('b', env('api-b'))]);
    // Both use Redis once their incident summary covers the fleet (a call made before the client connected
    // falls back and marks the store down for a second; the next call after that probes again).
    for (const instance of instances) {
      for (let i = 0; i < 10 && (await summary(instance)).summary.partial !== undefined; i++)
        await wait(1100);
    }
  });

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await redis?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    if (logs) rmSync(logs, { recursive: true, force: true });
  });

  it('(1) a per-IP limit of N per minute admits exactly N requests in total across instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) {
      statuses.push((await chat(i % 2 === 0 ? a() : b(), '198.51.100.1', `question number ${i}`)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429, 429, 429]);
  });

  it('(2) a client alternating instances with repeated prompts is caught as one prober', async () => {
    // Harmless text, so that only the behaviour signals speak.
    const prompt = 'What is the capital of France?';
    const seen: Array<{ action: string | null; reason: string }> = [];
    for (let i = 0; i < 10; i++) seen.push(await chat(i % 2 === 0 ? a() : b(), '198.51.100.2', prompt));
    // Each instance saw 5 of them (below the threshold of 10 on its own); together they are 10.
    expect(seen[9]!.reason).toMatch(/same input sent 10 times/);
    expect(seen.slice(0, 8).some((s) => /same input sent/.test(s.reason))).toBe(false);

    // Slight variations of one prompt, alternating instances: near-duplicate probing (8 variants).
    const base = 'Please summarise the attached quarterly report in three sentences';
    const edits = ['', ' ok', '!!', ' thanks', ' :)', '?', ' now', ' pls', ' asap', ' sir'];
    const probes: string[] = [];
    for (const [i, edit] of edits.entries()) {
      probes.push((await chat(i % 2 === 0 ? a() : b(), '198.51.100.3', base + edit)).reason);
    }
    expect(probes.at(-1)).toMatch(/slightly different variants of this input from the same client/);
  });

  it('(3) a burst spread over both gives one incident summary and one alert', async () => {
    // The default rule rate-limit-abuse alerts at 50 refusals per client within 60 s.
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 55; i++) {
      statuses.push((await chat(i % 2 === 0 ? a() : b(), '198.51.100.4', `burst ${i}`)).status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(55);
    await wait(300);
    const [fromA, fromB] = await Promise.all([summary(a()), summary(b())]);
    // 5 refusals from (1) and 55 from this burst, whichever instance refused them.
    expect(fromA.summary.byType.rate_limit).toBe(60);
    expect(fromB.summary.byType.rate_limit).toBe(60);
    expect(fromA.summary.partial).toBeUndefined();
    for (let i = 0; i < 50 && mails.length === 0; i++) await wait(100);
    await wait(1000); // room for a duplicate, had there been one
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/rate-limit-abuse: 50 rate_limit/);
    expect(mails[0]).toMatch(/198\.51\.100\.4/);
  });

  it('(4) with Redis killed mid-traffic both answer within the store timeout; counting resumes when it returns', async () => {
    const port = redis.port;
    const before = await chat(a(), '198.51.100.5', 'before the outage');
    expect(before.status).toBe(200);
    await redis.stop();
    const during = [];
    for (let i = 0; i < 10; i++)
      during.push(await chat(i % 2 === 0 ? a() : b(), '198.51.100.6', `during ${i}`));
    // In-memory insurance: each instance counts on its own meanwhile; nobody waits on the dead store.
    expect(during.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(STORE_TIMEOUT_MS + 750);
    const partial = await summary(a());
    expect(partial.summary.partial).toMatch(/shared incident store/);

    redis = await startRedis(port);
    // Counting is shared again once both have reconnected and their probes answered: a fresh address
    // then gets exactly LIMIT requests in total. Until then, the check is repeated with a new address.
    let admitted = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      const ip = `198.51.100.${100 + attempt}`;
      // Wake both guards (a call while down starts the recovery probe), then give the probes time.
      await chat(a(), '192.0.2.1', 'wake');
      await chat(b(), '192.0.2.1', 'wake');
      await wait(500);
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 2; i++)
        statuses.push((await chat(i % 2 === 0 ? a() : b(), ip, `after ${i}`)).status);
      admitted = statuses.filter((status) => status === 200).length;
      if (admitted === LIMIT) break;
    }
    expect(admitted).toBe(LIMIT);
  });

  it('(5) both audit chains verify together; one deleted entry in either, or a whole chain, is caught', async () => {
    await Promise.all(instances.map(stopInstance));
    const heads = ['--heads-redis', `redis://127.0.0.1:${redis.port}`];
    const intact = verify(logs, ...heads);
    expect(intact.err).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/security_express-chat_api-a \(instance api-a\)\n {2}OK/);
    expect(intact.out).toMatch(/security_express-chat_api-b \(instance api-b\)\n {2}OK/);
    expect(intact.out).toMatch(/published head of api-a/);
    expect(intact.out).toMatch(/FLEET OK {2}2 chains/);

    // --merge: one time-ordered stream of both chains.
    const merged = verify('--merge', logs);
    expect(merged.code).toBe(0);
    const entries = merged.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ts: string; instance: string });
    expect(new Set(entries.map((e) => e.instance))).toEqual(new Set(['api-a', 'api-b']));
    expect(entries.map((e) => e.ts)).toEqual(entries.map((e) => e.ts).sort());

    for (const instance of ['api-a', 'api-b']) {
      const file = join(
        logs,
        readdirSync(logs).find((name) => name.startsWith(`security_express-chat_${instance}_`))!,
      );
      const original = readFileSync(file, 'utf8');
      const lines = original.split('\n');
      lines.splice(3, 1);
      writeFileSync(file, lines.join('\n'));
      const cut = verify(logs, ...heads);
      expect(cut.code).toBe(1);
      expect(cut.out).toMatch(new RegExp(`${instance} \\(instance ${instance}\\)\\n {2}FAIL {2}missing`));
      writeFileSync(file, original);
    }
    // One instance's files deleted whole: the head it published to Redis still names its last entry.
    for (const name of readdirSync(logs).filter((n) => n.includes('api-b'))) rmSync(join(logs, name));
    const gone = verify(logs, ...heads);
    expect(gone.code).toBe(1);
    expect(gone.out).toMatch(/missing chain: no log given holds the chain of instance api-b/);
  });
});

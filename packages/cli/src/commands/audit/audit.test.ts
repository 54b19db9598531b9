import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySink, createShield } from '@ai-shield/core';
import { createFileAuditHeads, createFileSink, orderAuditFiles, withAuditHeads } from '@ai-shield/core/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../program.js';

const KEY = 'cli-audit-test-key-0123456789';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await main(['node', 'ai-shield', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, out, err };
}

/** A real audit log written by a shield: rate-limit blocks from one IP, an app incident. */
async function writeLog() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-shield-cli-'));
  const shield = createShield({
    env: false,
    modelName: 'chat',
    logger: { warn: () => {}, error: () => {} },
    audit: { sink: createFileSink({ dir, model: 'chat', maxBytes: 4000 }), hmacKey: KEY },
    rate: { perIp: { points: 2 }, minIntervalMs: 0 },
  });
  for (let i = 0; i < 12; i++) {
    await shield.protect({
      method: 'POST',
      path: '/v1/chat',
      headers: { 'content-type': 'application/json' },
      socketIp: '203.0.113.7',
      bodyText: '{"messages":[{"role":"user","content":"hi"}]}',
    });
  }
  shield.logIncident({ type: 'inference_error', severity: 'high', details: { model: 'chat' } });
  await shield.close();
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('security_'))
    .map((f) => join(dir, f));
  return { dir, files };
}

afterEach(() => {
  delete process.env.AI_SHIELD_AUDIT_HMAC_KEY;
});

describe('ai-shield audit verify', () => {
  it('prints OK with counts for an intact log (files in any order)', async () => {
    const { files } = await writeLog();
    expect(files.length).toBeGreaterThan(1);
    process.env.AI_SHIELD_AUDIT_HMAC_KEY = KEY;
    const { code, out } = await run('audit', 'verify', ...[...files].reverse());
    expect(code).toBe(0);
    expect(out).toMatch(/^OK {2}12 entries in \d+ files \(seq 0\.\.11\), keyed \(HMAC\)/);
    expect(out).toMatch(/checkpoints: 1 \(1 verified\) from .*checkpoints_chat\.jsonl/);
    expect(out).toContain('decision 10');
  });

  it('fails with the first bad entry and why: modified, wrong key, truncated', async () => {
    const { dir, files } = await writeLog();
    process.env.AI_SHIELD_AUDIT_HMAC_KEY = KEY;
    const [first] = await orderAuditFiles(files);
    const lines = readFileSync(first!, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('203.0.113.7', '203.0.113.8');
    writeFileSync(first!, lines.join('\n'));
    let result = await run('audit', 'verify', ...files);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FAIL {2}modified at .*:3, entry 2: entry 2 does not match its hash/);

    const keyFile = join(dir, 'wrong.key');
    writeFileSync(keyFile, 'some-other-key-0123456789');
    const fresh = await writeLog();
    result = await run('audit', 'verify', '--key-file', keyFile, ...fresh.files);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FAIL {2}wrong-key/);

    const ordered = await orderAuditFiles(fresh.files);
    const last = ordered.at(-1)!;
    const kept = readFileSync(last, 'utf8').split('\n').filter(Boolean).slice(0, -2);
    writeFileSync(last, `${kept.join('\n')}\n`);
    result = await run('audit', 'verify', ...ordered);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FAIL {2}truncated.*cut off the end/);
  });

  it('catches entries cut off the end by the head record alone, between checkpoints', async () => {
    const { files } = await writeLog();
    process.env.AI_SHIELD_AUDIT_HMAC_KEY = KEY;
    const intact = await run('audit', 'verify', '--no-checkpoints', ...files);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/head: entry 11 \(verified\) from .*head_chat\.json/);
    const last = (await orderAuditFiles(files)).at(-1)!;
    const kept = readFileSync(last, 'utf8').split('\n').filter(Boolean).slice(0, -1);
    writeFileSync(last, `${kept.join('\n')}\n`);
    const cut = await run('audit', 'verify', '--no-checkpoints', ...files);
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(
      /^FAIL {2}truncated.*the head record names entry 11 but the log ends at entry 10/,
    );
    // Without the head (and the checkpoints) the cut is invisible: the head is what caught it.
    expect((await run('audit', 'verify', '--no-checkpoints', '--no-head', ...files)).code).toBe(0);
  });

  it('exits 2 on a missing file', async () => {
    const { code, err } = await run('audit', 'verify', '/nonexistent/audit.log');
    expect(code).toBe(2);
    expect(err).toMatch(/ENOENT/);
  });
});

/** Two instances writing their own chains into one folder, publishing their heads to another. */
async function writeFleet() {
  const dir = mkdtempSync(join(tmpdir(), 'ai-shield-fleet-'));
  const headsDir = join(dir, 'heads');
  const heads = createFileAuditHeads(headsDir);
  const shields = ['api-1', 'api-2'].map((instance) =>
    createShield({
      env: false,
      modelName: 'chat',
      logger: { warn: () => {}, error: () => {} },
      audit: {
        instance,
        sink: withAuditHeads(createFileSink({ dir, model: 'chat', instance, maxBytes: 4000 }), heads),
        hmacKey: KEY,
      },
      rate: { perIp: { points: 1 }, minIntervalMs: 0 },
    }),
  );
  for (let i = 0; i < 12; i++) {
    await shields[i % 2]!.protect({
      method: 'POST',
      path: '/v1/chat',
      headers: { 'content-type': 'application/json' },
      socketIp: '203.0.113.7',
      bodyText: '{"messages":[{"role":"user","content":"hi"}]}',
    });
  }
  for (const shield of shields) await shield.close();
  const logs = (instance: string) =>
    readdirSync(dir)
      .filter((f) => f.startsWith(`security_chat_${instance}_`))
      .map((f) => join(dir, f));
  return { dir, headsDir, logs };
}

describe('ai-shield audit verify: a fleet', () => {
  it('verifies every chain of a folder, reports a deleted entry in either, and a chain deleted whole', async () => {
    const { dir, headsDir, logs } = await writeFleet();
    process.env.AI_SHIELD_AUDIT_HMAC_KEY = KEY;
    const intact = await run('audit', 'verify', '--heads', headsDir, dir);
    expect(intact.code).toBe(0);
    expect(intact.out).toMatch(/== .*security_chat_api-1 \(instance api-1\)\n {2}OK {2}6 entries/);
    expect(intact.out).toMatch(/== .*security_chat_api-2 \(instance api-2\)\n {2}OK {2}6 entries/);
    expect(intact.out).toMatch(/head: entry 5 \(verified\) from published head of api-2/);
    expect(intact.out).toMatch(/FLEET OK {2}2 chains, 12 entries/);

    // --merge: one stream ordered by time, both instances in it.
    const merged = await run('audit', 'verify', '--merge', dir);
    expect(merged.code).toBe(0);
    const entries = merged.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toHaveLength(12);
    expect(new Set(entries.map((e) => e.instance))).toEqual(new Set(['api-1', 'api-2']));
    expect(entries.map((e) => e.ts)).toEqual([...entries.map((e) => e.ts)].sort());
    expect(merged.err).toMatch(/FLEET OK/);

    // One entry deleted from the middle of either chain is caught.
    for (const instance of ['api-1', 'api-2']) {
      const [first] = await orderAuditFiles(logs(instance));
      const original = readFileSync(first!, 'utf8');
      const lines = original.split('\n');
      lines.splice(2, 1);
      writeFileSync(first!, lines.join('\n'));
      const cut = await run('audit', 'verify', '--heads', headsDir, dir);
      expect(cut.code).toBe(1);
      expect(cut.out).toMatch(
        new RegExp(`security_chat_${instance} \\(instance ${instance}\\)\\n {2}FAIL {2}missing`),
      );
      expect(cut.out).toMatch(/FLEET FAIL {2}1 of 2 chains failed/);
      writeFileSync(first!, original);
    }

    // api-2's files deleted whole (logs, checkpoints and head beside them): only the published head knows.
    for (const file of readdirSync(dir).filter((f) => f.includes('api-2'))) rmSync(join(dir, file));
    const gone = await run('audit', 'verify', '--heads', headsDir, dir);
    expect(gone.code).toBe(1);
    expect(gone.out).toMatch(/FAIL {2}missing chain: no log given holds the chain of instance api-2/);
    // Without the published heads the deletion is invisible: they are what caught it.
    expect((await run('audit', 'verify', dir)).code).toBe(0);
  });
});

describe('ai-shield incidents', () => {
  it('summarizes incidents from the audit log alone', async () => {
    const { files } = await writeLog();
    const { code, out } = await run('incidents', '--hours', '24', ...files);
    expect(code).toBe(0);
    expect(out).toMatch(/By type:\n {2}rate_limit +10\n {2}inference_error +1/);
    expect(out).toMatch(/203\.0\.113\.7 +10/);
    expect(out).toMatch(/1 IP hit the rate limit 10 times/);
    const json = JSON.parse((await run('incidents', '--json', ...files)).out);
    expect(json.byType).toEqual({ rate_limit: 10, inference_error: 1 });
  });

  it('matches the live summary of a memory-backed shield', async () => {
    const sink = createMemorySink();
    const shield = createShield({
      env: false,
      logger: { warn: () => {}, error: () => {} },
      audit: { sink },
      rate: { perIp: { points: 1 }, minIntervalMs: 0 },
    });
    for (let i = 0; i < 4; i++)
      await shield.protect({
        method: 'POST',
        path: '/x',
        headers: { 'content-type': 'application/json' },
        socketIp: '192.0.2.1',
        bodyText: '{"a":1}',
      });
    const live = await shield.getIncidentSummary();
    await shield.close();
    const dir = mkdtempSync(join(tmpdir(), 'ai-shield-cli-'));
    writeFileSync(join(dir, 'a.log'), `${sink.lines().join('\n')}\n`);
    const fromLog = JSON.parse((await run('incidents', '--json', join(dir, 'a.log'))).out);
    expect(fromLog.byType).toEqual(live.byType);
  });
});

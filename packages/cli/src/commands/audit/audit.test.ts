import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySink, createShield } from '@ai-shield/core';
import { createFileSink, orderAuditFiles } from '@ai-shield/core/node';
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

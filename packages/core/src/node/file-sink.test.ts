import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../audit/log.js';
import type { AuditSink } from '../audit/types.js';
import { readCheckpointFiles, verifyAuditFiles } from './audit-files.js';
import { createFileSink } from './file-sink.js';

const KEY = 'file-sink-test-key-0123456789';
const here = dirname(fileURLToPath(import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'ai-shield-audit-'));
const logFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('security_'))
    .map((f) => join(dir, f));

async function writeLog(dir: string, n: number, extra: Parameters<typeof createFileSink>[0] = {}) {
  const sink = createFileSink({ dir, model: 'chat', ...extra });
  const log = createAuditLog({
    sink,
    instance: 't',
    model: 'chat',
    hmacKey: KEY,
    checkpoints: { every: 10, intervalSec: 0 },
  });
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      log.append({ type: 'decision', requestId: `r${i}`, data: { pad: 'y'.repeat(100) } }),
    ),
  );
  await log.close();
  return sink;
}

async function verifyDir(dir: string, sink: { checkpointFile: string }) {
  return verifyAuditFiles(logFiles(dir), {
    hmacKey: KEY,
    checkpoints: await readCheckpointFiles([sink.checkpointFile]),
  });
}

describe('createFileSink', () => {
  it('writes security_{model}_{date}.log, rotates by size, and the chain continues across files and restarts', async () => {
    const dir = tmp();
    const sink = await writeLog(dir, 40, { maxBytes: 2000, durability: 'batch', batchWindowMs: 5 });
    await writeLog(dir, 10, { maxBytes: 2000 });
    const files = logFiles(dir);
    expect(files.length).toBeGreaterThan(2);
    const date = new Date().toISOString().slice(0, 10);
    expect(files.map((f) => f.slice(dir.length + 1))).toContain(`security_chat_${date}.log`);
    const result = await verifyDir(dir, sink);
    expect(result.error).toBeUndefined();
    expect(result.entries).toBe(52); // 50 decisions + 2 audit.started
    expect(result.types['audit.started']).toBe(2);
  });

  it('single-file mode (AUDIT_LOG_PATH) rotates the file aside and keeps one chain', async () => {
    const dir = tmp();
    const path = join(dir, 'audit_log.json');
    const sink = createFileSink({ path, maxBytes: 1500 });
    const log = createAuditLog({
      sink,
      instance: 't',
      model: 'm',
      hmacKey: KEY,
      checkpoints: { every: 0, intervalSec: 0 },
    });
    for (let i = 0; i < 20; i++) await log.append({ type: 'incident', data: { i, pad: 'z'.repeat(60) } });
    await log.close();
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('audit_log'))
      .map((f) => join(dir, f));
    expect(files.length).toBeGreaterThan(1);
    const result = await verifyAuditFiles(files, {
      hmacKey: KEY,
      checkpoints: await readCheckpointFiles([sink.checkpointFile]),
    });
    expect(result.error).toBeUndefined();
    expect(result.entries).toBe(21);
  });

  it('repairs a torn last line on start and records it', async () => {
    const dir = tmp();
    const sink = await writeLog(dir, 5);
    const [file] = logFiles(dir);
    appendFileSync(file!, '{"v":1,"seq":6,"ts":"20');
    expect((await verifyAuditFiles([file!], { hmacKey: KEY })).error?.reason).toBe('truncated');
    await writeLog(dir, 1);
    const result = await verifyDir(dir, sink);
    expect(result.error).toBeUndefined();
    expect(result.repairs).toBe(1);
    const repaired = readFileSync(file!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'audit.repaired');
    expect(repaired.data).toMatchObject({ bytesRemoved: 23 });
  });

  it('surfaces write errors (full disk) through onError and retries the same entries without a gap', async () => {
    const dir = tmp();
    const inner = createFileSink({ dir, model: 'chat' });
    let failuresLeft = 2;
    const flaky: AuditSink = {
      open: () => inner.open!(),
      write: async (lines, entries) => {
        if (failuresLeft-- > 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        return inner.write(lines, entries);
      },
      writeCheckpoint: (line, cp) => inner.writeCheckpoint!(line, cp),
      flush: () => inner.flush!(),
      close: () => inner.close!(),
    };
    const errors: unknown[] = [];
    const log = createAuditLog({
      sink: flaky,
      instance: 't',
      model: 'chat',
      hmacKey: KEY,
      retryMs: 1,
      onError: (e) => errors.push(e),
    });
    const entry = await log.append({ type: 'incident', data: { n: 1 } });
    await log.close();
    expect(entry?.seq).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'ENOSPC' });
    expect(errors.at(-1)).toBeUndefined(); // recovery
    const result = await verifyDir(dir, inner);
    expect(result.error).toBeUndefined();
    expect(result.types['audit.recovered']).toBe(1);
  });

  it('loses no acknowledged entry when killed with SIGKILL (durability: entry), and verifies after repair', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'file-sink.child.ts'), dir], {
      cwd: join(here, '../../../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: number[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => resolve());
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) acked.push(Number(line));
        if (acked.length >= 300 && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(child.signalCode).toBe('SIGKILL');
    const onDisk = new Set<number>();
    for (const file of logFiles(dir)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        try {
          onDisk.add(JSON.parse(line).seq);
        } catch {}
      }
    }
    expect(acked.filter((seq) => !onDisk.has(seq))).toEqual([]);
    // Restart: the sink repairs a torn tail (if any) and the chain continues.
    const sink = createFileSink({ dir, model: 'kill', maxBytes: 64 * 1024 });
    const log = createAuditLog({
      sink,
      instance: 'after',
      model: 'kill',
      hmacKey: 'child-test-key-0123456789',
    });
    await log.append({ type: 'incident', data: { after: true } });
    await log.close();
    const result = await verifyAuditFiles(logFiles(dir), {
      hmacKey: 'child-test-key-0123456789',
      checkpoints: await readCheckpointFiles([sink.checkpointFile]),
    });
    expect(result.error).toBeUndefined();
    expect(result.lastSeq).toBeGreaterThanOrEqual(Math.max(...acked));
  });

  it('rewrites the head record after every write; a restart after a cut records audit.truncated', async () => {
    const dir = tmp();
    const sink = createFileSink({ dir, model: 'chat' });
    const log = createAuditLog({ sink, instance: 't', model: 'chat', hmacKey: KEY });
    let last: { seq: number; hash: string } | undefined;
    for (let i = 0; i < 5; i++) {
      const entry = await log.append({ type: 'incident', data: { i } });
      // Acknowledged means the head record already covers it.
      const head = JSON.parse(readFileSync(sink.headFile!, 'utf8'));
      expect(head).toMatchObject({ type: 'head', seq: entry!.seq, hash: entry!.hash, alg: 'HS256' });
      last = entry;
    }
    expect(readFileSync(sink.headFile!).length).toBe(512);
    await log.close();
    const [file] = logFiles(dir);
    const lines = readFileSync(file!, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file!, `${lines.slice(0, -2).join('\n')}\n`);

    const reopened = createFileSink({ dir, model: 'chat' });
    const again = createAuditLog({ sink: reopened, instance: 't2', model: 'chat', hmacKey: KEY });
    await again.append({ type: 'incident', data: { after: true } });
    await again.close();
    const result = await verifyAuditFiles(logFiles(dir), {
      hmacKey: KEY,
      head: readFileSync(reopened.headFile!, 'utf8'),
    });
    expect(result.error).toBeUndefined();
    expect(result.truncations).toBe(1);
    const entries = readFileSync(file!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(entries.find((e) => e.type === 'audit.truncated')?.data).toEqual({
      headSeq: last!.seq,
      logSeq: last!.seq - 2,
    });
  });

  it('a new chain starts when the last entry cannot be read', async () => {
    const dir = tmp();
    await writeLog(dir, 2);
    const [file] = logFiles(dir);
    writeFileSync(file!, 'garbage\n');
    const sink = createFileSink({ dir, model: 'chat' });
    const state = await sink.open!();
    await sink.close!();
    expect(state.resetReason).toMatch(/not JSON/);
  });
});

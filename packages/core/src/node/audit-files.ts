/**
 * Reading audit log files from disk: ordering them along the chain, streaming them through the verifier,
 * and reading checkpoint files. Used by `ai-shield audit verify` and `ai-shield incidents`.
 * @module
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { AuditEntry } from '../audit/types.js';
import { createAuditVerifier, type VerifyOptions, type VerifyResult } from '../audit/verify.js';

async function firstSeq(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const match = /"seq":(\d+)/.exec(text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined));
    return match ? Number(match[1]) : Number.POSITIVE_INFINITY;
  } finally {
    await handle.close();
  }
}

/** Sorts log files along the chain (by the `seq` of their first entry), whatever their names. */
export async function orderAuditFiles(paths: string[]): Promise<string[]> {
  const keyed = await Promise.all(paths.map(async (path) => ({ path, seq: await firstSeq(path) })));
  return keyed.sort((a, b) => a.seq - b.seq).map((item) => item.path);
}

/** Reads checkpoint lines from JSONL files. */
export async function readCheckpointFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths)
    out.push(...(await readFile(path, 'utf8')).split('\n').filter((line) => line.trim()));
  return out;
}

async function* linesOf(path: string): AsyncGenerator<{ text: string; last: boolean }> {
  const reader = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let previous: string | undefined;
  for await (const line of reader) {
    if (previous !== undefined) yield { text: previous, last: false };
    previous = line;
  }
  if (previous !== undefined) {
    // readline drops the final newline: only a file that does not end in one has a torn last line.
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      const byte = Buffer.alloc(1);
      if (size > 0) await handle.read(byte, 0, 1, size - 1);
      yield { text: previous, last: byte[0] !== 0x0a };
    } finally {
      await handle.close();
    }
  }
}

/**
 * Verifies audit files (streamed, any size), ordered along the chain first.
 * @example
 * const result = await verifyAuditFiles(['logs/security_chat_2026-01-01.log'], { hmacKey: process.env.AI_SHIELD_AUDIT_HMAC_KEY });
 */
export async function verifyAuditFiles(
  paths: string[],
  options: VerifyOptions = {},
): Promise<VerifyResult & { order: string[] }> {
  const order = await orderAuditFiles(paths);
  const verifier = await createAuditVerifier(options);
  outer: for (const [i, path] of order.entries()) {
    verifier.file(path);
    for await (const { text, last } of linesOf(path)) {
      if (!(await verifier.line(text, { last: last && i === order.length - 1 }))) break outer;
    }
  }
  return { ...(await verifier.finish()), order };
}

/** Streams the parsed entries of audit files, in chain order; unparseable lines are skipped. */
export async function* readAuditEntries(paths: string[]): AsyncGenerator<AuditEntry> {
  for (const path of await orderAuditFiles(paths)) {
    for await (const { text } of linesOf(path)) {
      if (!text.trim()) continue;
      try {
        yield JSON.parse(text) as AuditEntry;
      } catch {}
    }
  }
}

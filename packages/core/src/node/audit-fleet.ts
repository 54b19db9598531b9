/**
 * Audit logs of a fleet: every instance writes its own chain (its own files, `audit.instance` in every
 * entry and checkpoint). This finds the chains among files and folders, verifies each with its own
 * checkpoints and head record, checks the head records published apart from the logs (Redis or a
 * folder, see audit-heads.ts) so that a chain deleted whole is reported, and merges the chains into one
 * time-ordered stream. Used by `ai-shield audit verify`.
 * @module
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditEntry } from '../audit/types.js';
import type { VerifyOptions, VerifyResult } from '../audit/verify.js';
import { orderAuditFiles, readAuditEntries, readCheckpointFiles, verifyAuditFiles } from './audit-files.js';

/** The files of one chain. */
export interface AuditChainFiles {
  /** Folder and name stem shared by the chain's files, e.g. `logs/security_chat_api-1`. */
  key: string;
  /** Log files, in chain order. */
  files: string[];
  /** Checkpoint file beside the logs, when present. */
  checkpointFile?: string;
  /** Head record file beside the logs, when present. */
  headFile?: string;
}

const DATE_SUFFIX = /^(.*)_(\d{4}-\d{2}-\d{2})(?:\.\d+)?\.log$/;
const PATH_ROTATED = /^(.*)\.\d{4}-\d{2}-\d{2}\.\d+(\.[^.]+)$/;

/** First line of a file (up to 64 KiB), or '' when unreadable. */
async function firstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const end = text.indexOf('\n');
    return end >= 0 ? text.slice(0, end) : text;
  } finally {
    await handle.close();
  }
}

async function looksLikeAuditLog(path: string): Promise<boolean> {
  const name = basename(path);
  if (name.startsWith('checkpoints_') || name.startsWith('head_')) return false;
  try {
    const line = await firstLine(path);
    return line.includes('"prevHash"') && line.includes('"seq"');
  } catch {
    return false;
  }
}

/**
 * Log files among `paths`: files named explicitly always count; in folders, `*.log` files (a damaged
 * first line must not hide a file from verification) and other files that start like an audit entry.
 */
async function expand(paths: string[], depth = 4, explicit = true): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      if (depth === 0) continue;
      const names = (await readdir(path)).sort();
      out.push(
        ...(await expand(
          names.map((name) => join(path, name)),
          depth - 1,
          false,
        )),
      );
    } else if (info.isFile()) {
      const name = basename(path);
      const aside = name.startsWith('checkpoints_') || name.startsWith('head_');
      if (explicit || (!aside && (name.endsWith('.log') || (await looksLikeAuditLog(path))))) out.push(path);
    }
  }
  return out;
}

/** The name stem of a log file: `security_{model}[_{instance}]` or the configured path's name. */
function stemOf(file: string): string {
  const name = basename(file);
  const dated = DATE_SUFFIX.exec(name);
  if (dated && name.startsWith('security_')) return dated[1]!;
  const rotated = PATH_ROTATED.exec(name);
  if (rotated) return `${rotated[1]}${rotated[2]}`;
  return name;
}

/**
 * Finds the audit chains among files and folders (searched four levels deep). Files are grouped by
 * folder and name stem, so `security_chat_api-1_*.log` and `security_chat_api-2_*.log` are two chains.
 */
export async function findAuditChains(paths: string[]): Promise<AuditChainFiles[]> {
  const files = await expand(paths);
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const key = join(dirname(file), stemOf(file));
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  const chains: AuditChainFiles[] = [];
  for (const [key, group] of [...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const ordered = await orderAuditFiles(group);
    const dir = dirname(key);
    const stem = basename(key);
    // The file sink names checkpoints and heads after `{model}[_{instance}]`: the stem in a folder of
    // security_ files, else the model of the first entry.
    const names: string[] = [];
    if (stem.startsWith('security_')) names.push(stem.slice('security_'.length));
    const model = /"model":"([^"]*)"/.exec(await firstLine(ordered[0]!))?.[1];
    if (model) names.push(model.replace(/[^A-Za-z0-9_-]/g, '_'));
    const beside = (make: (name: string) => string) =>
      names.map((name) => join(dir, make(name))).find((candidate) => existsSync(candidate));
    const checkpointFile = beside((name) => `checkpoints_${name}.jsonl`);
    const headFile = beside((name) => `head_${name}.json`);
    chains.push({
      key,
      files: ordered,
      ...(checkpointFile ? { checkpointFile } : {}),
      ...(headFile ? { headFile } : {}),
    });
  }
  return chains;
}

/** The last complete line of a file. */
async function lastEntry(path: string): Promise<AuditEntry | undefined> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n').filter((line) => line.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]!) as AuditEntry;
    } catch {}
  }
  return undefined;
}

export interface FleetChainResult extends AuditChainFiles {
  /** The instance that wrote the chain's last entry. */
  instance?: string;
  /** Where the head record used came from. */
  headSource?: 'file' | 'published';
  result: VerifyResult & { order: string[] };
}

export interface FleetVerifyResult {
  ok: boolean;
  chains: FleetChainResult[];
  /** Published heads that no chain given reaches: chains deleted (or not given). */
  missing: Array<{ instance: string; seq: number; message: string }>;
}

export interface FleetVerifyOptions extends Omit<VerifyOptions, 'checkpoints' | 'head'> {
  /** Head records published apart from the logs, by instance (`AuditHeadStore.list()`). */
  heads?: Record<string, string>;
}

/**
 * Verifies every chain with its own checkpoints and head record. A head published for the instance
 * that wrote a chain's last entry replaces the head file beside it (it cannot have been cut along with
 * the log). Every other published head must name an entry of some chain given (an earlier run of the
 * same chain under another id), else its chain is reported missing.
 */
export async function verifyAuditFleet(
  chains: AuditChainFiles[],
  options: FleetVerifyOptions = {},
): Promise<FleetVerifyResult> {
  const published = options.heads ?? {};
  const used = new Set<string>();
  const out: FleetChainResult[] = [];
  for (const chain of chains) {
    const last = await lastEntry(chain.files[chain.files.length - 1]!);
    const instance = last?.instance;
    const remote = instance !== undefined ? published[instance] : undefined;
    if (remote !== undefined) used.add(instance!);
    const head = remote ?? (chain.headFile ? await readFile(chain.headFile, 'utf8') : undefined);
    const { heads: _heads, ...verifyOptions } = options;
    const result = await verifyAuditFiles(chain.files, {
      ...verifyOptions,
      checkpoints: chain.checkpointFile ? await readCheckpointFiles([chain.checkpointFile]) : [],
      ...(head ? { head } : {}),
    });
    out.push({
      ...chain,
      ...(instance !== undefined ? { instance } : {}),
      ...(head ? { headSource: remote !== undefined ? ('published' as const) : ('file' as const) } : {}),
      result,
    });
  }
  // Heads of other instances: look for the entry they name in any chain.
  const wanted = new Map<string, { instance: string; seq: number; hash: string }>();
  for (const [instance, line] of Object.entries(published)) {
    if (used.has(instance)) continue;
    try {
      const head = JSON.parse(line) as { seq?: unknown; hash?: unknown };
      if (typeof head.seq === 'number' && typeof head.hash === 'string')
        wanted.set(`${head.seq}:${head.hash}`, { instance, seq: head.seq, hash: head.hash });
    } catch {}
  }
  if (wanted.size > 0) {
    for (const chain of chains) {
      for await (const entry of readAuditEntries(chain.files)) {
        wanted.delete(`${entry.seq}:${entry.hash}`);
        if (wanted.size === 0) break;
      }
      if (wanted.size === 0) break;
    }
  }
  const missing = [...wanted.values()].map(({ instance, seq }) => ({
    instance,
    seq,
    message: `no log given holds the chain of instance ${instance} (its published head names entry ${seq}): its files were deleted, or not given`,
  }));
  return { ok: out.every((chain) => chain.result.ok) && missing.length === 0, chains: out, missing };
}

/**
 * The entries of several chains as one stream ordered by time (then instance and seq): a k-way merge,
 * each chain read as a stream, so memory stays at one entry per chain.
 */
export async function* mergeAuditChains(chains: AuditChainFiles[]): AsyncGenerator<AuditEntry> {
  const readers = chains.map((chain) => readAuditEntries(chain.files));
  const heads: Array<AuditEntry | undefined> = await Promise.all(
    readers.map(async (reader) => (await reader.next()).value as AuditEntry | undefined),
  );
  const before = (a: AuditEntry, b: AuditEntry) =>
    a.ts !== b.ts ? a.ts < b.ts : a.instance !== b.instance ? a.instance < b.instance : a.seq < b.seq;
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const entry = heads[i];
      if (entry && (best < 0 || before(entry, heads[best]!))) best = i;
    }
    if (best < 0) return;
    yield heads[best]!;
    heads[best] = ((await readers[best]!.next()).value as AuditEntry | undefined) ?? undefined;
  }
}

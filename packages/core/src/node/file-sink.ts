/**
 * The append-only JSONL audit sink: one entry per line, rotation by size and by day (UTC), the chain
 * continuing across files and restarts, a documented durability setting, repair of a torn last line on
 * start (recorded in the log as an `audit.repaired` entry), and a head record beside the log.
 *
 * Durability (what "acknowledged" means; in every mode a write resolves only once its data is in the
 * OS, which survives a crash of the process, SIGKILL included):
 * - `refusals` (default): a write holding a refusal (`sync: true`) resolves only after `fdatasync`;
 *   refusals that arrive while a write is in progress share the next write and sync (group commit). The
 *   other entries are synced at most `batchWindowMs` later, so a power loss can lose at most that window
 *   of allowed and flagged requests, and no refusal.
 * - `entry`: every write resolves only after `fdatasync` (nothing acknowledged is lost to a power loss).
 * - `batch`: nothing waits for `fdatasync`; it runs within `batchWindowMs` (a power loss can lose that
 *   window, refusals included).
 *
 * Head record: after every write, `head_{model}.json` (or `headPath`) is rewritten in place with the
 * `seq` and `hash` of the last entry, signed like a checkpoint. `ai-shield audit verify` compares the log
 * with it, so entries cut off the end are caught even between checkpoints.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { type FileHandle, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type {
  AuditCheckpoint,
  AuditEntry,
  AuditSink,
  AuditSinkState,
  AuditWriteOptions,
} from '../audit/types.js';

export interface FileSinkOptions {
  /**
   * One log file (`AI_SHIELD_AUDIT_LOG_PATH`; seed 002 `AUDIT_LOG_PATH`). Rotated files are renamed `<name>.<date>.<n><ext>` beside it.
   * Give `path` or `dir`.
   */
  path?: string;
  /** A folder (`AI_SHIELD_SECURITY_LOG_PATH`; seed 001 `SECURITY_LOG_PATH`) for `security_{model}_{date}[.n].log` files. */
  dir?: string;
  /** Model name in file names. Default `default`. */
  model?: string;
  /**
   * This instance's name (`audit.instance`, `AI_SHIELD_AUDIT_INSTANCE`). When set it goes into the file
   * names after the model (`security_{model}_{instance}_{date}.log`, `checkpoints_{model}_{instance}.jsonl`,
   * `head_{model}_{instance}.json`), so that several instances can share one folder, each with its own
   * chain. Keep it stable across restarts: the chain continues from the files with the same name.
   */
  instance?: string;
  /** Rotate before a file would exceed this size. Default 64 MiB. */
  maxBytes?: number;
  /** Start a new file when the UTC date changes. Default true. */
  rotateDaily?: boolean;
  /**
   * `refusals` (default: fsync before acknowledging a write that holds a refusal, the rest within
   * `batchWindowMs`), `entry` (fsync before acknowledging every write) or `batch` (fsync within
   * `batchWindowMs` only).
   */
  durability?: 'refusals' | 'entry' | 'batch';
  /** Longest delay of a deferred sync. Default 1000 ms. */
  batchWindowMs?: number;
  /**
   * Checkpoint file (JSONL). Default: `checkpoints_{model}.jsonl` beside the log. Put it on another disk
   * or host (or ship it) so that whoever can cut the log cannot also cut the checkpoints.
   */
  checkpointPath?: string;
  /**
   * Head record file (one JSON record, rewritten in place after every write). Default:
   * `head_{model}.json` beside the log. `false`: none (truncation is then caught at checkpoints only).
   */
  headPath?: string | false;
}

/** A file sink, with the paths it writes. */
export interface FileSink extends AuditSink {
  /** The file currently written to (after `open`). */
  readonly currentFile: string | undefined;
  readonly checkpointFile: string;
  /** The head record file, unless `headPath: false`. */
  readonly headFile: string | undefined;
}

/** Size the head record is padded to, so that rewriting it in place never leaves a longer old tail. */
const HEAD_BYTES = 512;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const today = () => new Date().toISOString().slice(0, 10);

interface Naming {
  dir: string;
  /** Active file name for a date and index. */
  name(date: string, index: number): string;
  /** Date and index of a file of this log, or undefined for other files. */
  parse(file: string): { date: string; index: number } | undefined;
}

function namingFor(options: FileSinkOptions, model: string): Naming {
  if (options.path) {
    const dir = dirname(options.path);
    const ext = extname(options.path);
    const stem = basename(options.path, ext);
    return {
      dir,
      name: () => basename(options.path!),
      parse(file) {
        if (file === basename(options.path!)) return { date: '9999-99-99', index: 0 };
        const m =
          file.startsWith(`${stem}.`) && file.endsWith(ext)
            ? file.slice(stem.length + 1, file.length - ext.length).split('.')
            : [];
        return m.length === 2 && DATE.test(m[0]!) && /^\d+$/.test(m[1]!)
          ? { date: m[0]!, index: Number(m[1]) }
          : undefined;
      },
    };
  }
  const safe = model.replace(/[^A-Za-z0-9_-]/g, '_');
  const prefix = `security_${safe}_`;
  return {
    dir: options.dir!,
    name: (date, index) => `${prefix}${date}${index > 0 ? `.${index}` : ''}.log`,
    parse(file) {
      if (!file.startsWith(prefix) || !file.endsWith('.log')) return undefined;
      const [date, index] = file.slice(prefix.length, -4).split('.');
      if (!date || !DATE.test(date) || (index !== undefined && !/^\d+$/.test(index))) return undefined;
      return { date, index: index === undefined ? 0 : Number(index) };
    },
  };
}

async function syncDir(dir: string): Promise<void> {
  // Makes a new file's directory entry durable (POSIX); not supported on Windows, where it is skipped.
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {}
}

/** Finds the start of the last line ending in '\n' at or before `size`, reading backwards in chunks. */
async function tail(handle: FileHandle, size: number): Promise<{ lastLine?: string; completeEnd: number }> {
  const chunk = 64 * 1024;
  let end = size;
  let buffered = Buffer.alloc(0);
  let completeEnd = -1;
  while (end > 0) {
    const start = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - start);
    await handle.read(buf, 0, buf.length, start);
    buffered = Buffer.concat([buf, buffered]);
    end = start;
    const bufStart = end;
    if (completeEnd < 0) {
      const nl = buffered.lastIndexOf(0x0a);
      if (nl >= 0) completeEnd = bufStart + nl + 1;
    }
    if (completeEnd >= 0) {
      const rel = completeEnd - bufStart;
      const prevNl = rel >= 2 ? buffered.lastIndexOf(0x0a, rel - 2) : -1;
      if (prevNl >= 0 || start === 0) {
        return { lastLine: buffered.subarray(prevNl + 1, rel - 1).toString('utf8'), completeEnd };
      }
    }
  }
  return { completeEnd: Math.max(0, completeEnd) };
}

/** The `seq` and `hash` of a head record file, or undefined when there is none or it is unreadable. */
async function readHead(path: string): Promise<{ seq: number; hash: string } | undefined> {
  try {
    const record = JSON.parse((await readFile(path, 'utf8')).split('\n', 1)[0]!) as {
      seq?: unknown;
      hash?: unknown;
    };
    return typeof record.seq === 'number' && typeof record.hash === 'string'
      ? { seq: record.seq, hash: record.hash }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a file sink.
 * @example
 * import { createFileSink } from '@ai-shield/core/node';
 * const shield = createShield({ audit: { sink: createFileSink({ dir: process.env.AI_SHIELD_SECURITY_LOG_PATH, model: 'chat' }) } });
 */
export function createFileSink(options: FileSinkOptions): FileSink {
  if (!options.path && !options.dir)
    throw new TypeError('createFileSink: give `path` (a file) or `dir` (a folder)');
  const model = options.model ?? 'default';
  const named = options.instance ? `${model}_${options.instance}` : model;
  const naming = namingFor(options, named);
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const rotateDaily = options.rotateDaily ?? true;
  const durability = options.durability ?? 'refusals';
  const windowMs = options.batchWindowMs ?? 1000;
  const safeModel = named.replace(/[^A-Za-z0-9_-]/g, '_');
  const checkpointFile = options.checkpointPath ?? join(naming.dir, `checkpoints_${safeModel}.jsonl`);
  const headFile =
    options.headPath === false ? undefined : (options.headPath ?? join(naming.dir, `head_${safeModel}.json`));
  let headHandle: FileHandle | undefined;
  let headSize = -1;
  let headDirty = false;
  let handle: FileHandle | undefined;
  let file: string | undefined;
  let fileDate = today();
  let index = 0;
  let size = 0;
  let dirty = false;
  let persistedSeq = -1;
  let syncTimer: ReturnType<typeof setTimeout> | undefined;
  let syncing: Promise<void> | undefined;

  async function openFile(date: string, nextIndex: number): Promise<void> {
    fileDate = date;
    index = nextIndex;
    file = join(naming.dir, naming.name(date, nextIndex));
    handle = await open(file, 'a');
    size = (await handle.stat()).size;
    await syncDir(naming.dir);
  }

  async function rotate(): Promise<void> {
    await sync();
    await handle?.close();
    handle = undefined;
    const date = today();
    if (options.path) {
      // Single-file mode: the full file moves aside under its date; the path starts empty.
      const files = await readdir(naming.dir);
      const taken = files
        .map((name) => naming.parse(name))
        .filter((p) => p && p.date === fileDate)
        .map((p) => p!.index);
      await rename(
        file!,
        join(
          naming.dir,
          `${basename(options.path, extname(options.path))}.${fileDate}.${Math.max(0, ...taken) + 1}${extname(options.path)}`,
        ),
      );
      await openFile(date, 0);
    } else {
      await openFile(date, date === fileDate ? index + 1 : 0);
    }
  }

  async function sync(): Promise<void> {
    if (syncTimer) clearTimeout(syncTimer);
    syncTimer = undefined;
    if (syncing) await syncing;
    if (!dirty || !handle) return syncHead();
    dirty = false;
    syncing = handle.datasync().finally(() => {
      syncing = undefined;
    });
    await syncing;
    await syncHead();
  }

  /** The head is synced after the log it describes (a head ahead of a lost tail would be a false alarm). */
  async function syncHead(): Promise<void> {
    if (!headDirty || !headHandle) return;
    headDirty = false;
    await headHandle.datasync();
  }

  function deferSync(): void {
    if (syncTimer) return;
    syncTimer = setTimeout(() => void sync().catch(() => {}), windowMs);
    syncTimer.unref();
  }

  async function append(data: Buffer): Promise<void> {
    if ((size > 0 && size + data.length > maxBytes) || (rotateDaily && today() !== fileDate)) await rotate();
    const before = size;
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle!.write(data, written, data.length - written);
        written += bytesWritten;
      }
      size += data.length;
      dirty = true;
    } catch (error) {
      // Leave no partial line behind (ENOSPC mid-write): the log retries the same lines.
      await handle!.truncate(before).catch(() => {});
      throw error;
    }
  }

  return {
    get currentFile() {
      return file;
    },
    checkpointFile,
    headFile,
    async open(): Promise<AuditSinkState> {
      mkdirSync(naming.dir, { recursive: true });
      mkdirSync(dirname(checkpointFile), { recursive: true });
      const found = (await readdir(naming.dir))
        .map((name) => ({ name, at: naming.parse(name) }))
        .filter((f): f is { name: string; at: { date: string; index: number } } => f.at !== undefined)
        .sort((a, b) => (a.at.date === b.at.date ? a.at.index - b.at.index : a.at.date < b.at.date ? -1 : 1));
      const state: AuditSinkState = {};
      // Newest non-empty file holds the chain head (single-file mode: the path itself, if it has entries).
      const newestFirst = [...found].reverse();
      for (const candidate of newestFirst) {
        const path = join(naming.dir, candidate.name);
        if ((await stat(path)).size === 0) continue;
        const h = await open(path, 'r+');
        try {
          const { size: fileSize } = await h.stat();
          const { lastLine, completeEnd } = await tail(h, fileSize);
          if (completeEnd < fileSize) {
            const removed = Buffer.alloc(fileSize - completeEnd);
            await h.read(removed, 0, removed.length, completeEnd);
            await h.truncate(completeEnd);
            await h.sync();
            state.repaired = {
              file: candidate.name,
              bytesRemoved: removed.length,
              removedSha256: createHash('sha256').update(removed).digest('hex'),
            };
          }
          if (lastLine) {
            try {
              const last = JSON.parse(lastLine) as AuditEntry;
              if (typeof last.seq === 'number' && typeof last.hash === 'string')
                state.head = { seq: last.seq, hash: last.hash };
              else state.resetReason = `last entry of ${candidate.name} has no seq/hash`;
            } catch {
              state.resetReason = `last line of ${candidate.name} is not JSON`;
            }
          }
        } finally {
          await h.close();
        }
        if (state.head || state.resetReason) break;
      }
      const date = today();
      const latest = newestFirst.find((f) => !options.path || f.name === basename(options.path));
      if (options.path) {
        await openFile(date, 0);
        // A file left from another day is rotated on the first write.
        fileDate = latest ? (await stat(file!)).mtime.toISOString().slice(0, 10) : date;
      } else if (latest && latest.at.date === date) {
        await openFile(date, latest.at.index);
      } else {
        await openFile(date, 0);
      }
      if (state.resetReason) await rotate();
      persistedSeq = state.head?.seq ?? -1;
      const previous = headFile ? await readHead(headFile) : undefined;
      if (
        previous &&
        (previous.seq > persistedSeq || (previous.seq === persistedSeq && previous.hash !== state.head?.hash))
      ) {
        // The log ends before the head written last time: entries were cut off while the writer was
        // down (or lost to a power loss). Recorded in the log before the head moves on.
        state.truncated = { headSeq: previous.seq, logSeq: state.head?.seq ?? null };
      }
      return state;
    },
    async write(lines: string[], entries: AuditEntry[], writeOptions: AuditWriteOptions = {}) {
      if (!handle) throw new Error('file sink is not open');
      // A retry after a partly failed write (rotation, then ENOSPC) resends lines this file already holds.
      const start = entries.findIndex((entry) => entry.seq > persistedSeq);
      if (start < 0) return;
      if (start > 0) {
        lines = lines.slice(start);
        entries = entries.slice(start);
      }
      // Split the batch so that no file grows past maxBytes (a single larger line still gets a file).
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      for (const [index, line] of lines.entries()) {
        const data = Buffer.from(`${line}\n`, 'utf8');
        if (chunk.length > 0 && size + chunkBytes + data.length > maxBytes) {
          await append(Buffer.concat(chunk));
          persistedSeq = entries[index - 1]!.seq;
          chunk = [];
          chunkBytes = 0;
        }
        chunk.push(data);
        chunkBytes += data.length;
      }
      if (chunk.length > 0) await append(Buffer.concat(chunk));
      persistedSeq = entries[entries.length - 1]!.seq;
      if (durability === 'entry' || (durability === 'refusals' && writeOptions.sync)) await sync();
      else deferSync();
    },
    async writeHead(line: string) {
      if (!headFile) return;
      if (!headHandle) {
        mkdirSync(dirname(headFile), { recursive: true });
        // r+ keeps the previous head until it is replaced (w would empty it first).
        headHandle = await open(headFile, 'r+').catch(() => open(headFile, 'w+'));
      }
      const data = Buffer.from(`${line.padEnd(HEAD_BYTES - 1)}\n`, 'utf8');
      await headHandle.write(data, 0, data.length, 0);
      if (data.length !== headSize) {
        await headHandle.truncate(data.length);
        headSize = data.length;
      }
      headDirty = true;
      // Synced with the log: at once when the log was just synced, else within the batch window.
      deferSync();
    },
    async writeCheckpoint(line: string, _checkpoint: AuditCheckpoint) {
      await sync();
      const h = await open(checkpointFile, 'a');
      try {
        await h.write(`${line}\n`);
        await h.datasync();
      } finally {
        await h.close();
      }
    },
    flush: sync,
    async close() {
      await sync();
      await handle?.close();
      handle = undefined;
      await headHandle?.close();
      headHandle = undefined;
    },
  };
}

/**
 * `scanPath`: discovery, then a bounded pool of worker threads (or, when running from sources without a
 * build, an in-process loop) scanning files one at a time each. Memory is bounded per file by the
 * scanners' windows and caps, and in total by the pool size.
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildReport } from '../report/build.js';
import { DEFAULT_LIMITS, type ScanLimits } from './context.js';
import { type AdvisoryDb, loadAdvisories } from './deps/advisories.js';
import { createGlobalPolicy } from './pickle/policy.js';
import { scanFile } from './scan-file.js';
import { resolvePiiDetector } from './text/pii-source.js';
import type { FileResult, LogEntry, ScanReport } from './types.js';
import { type DiscoveredFile, walk } from './walk.js';

/** Progress callback payload. */
export interface ScanProgress {
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  file?: FileResult;
}

/** Options for `scanPath`. */
export interface ScanOptions {
  /** Files scanned at once. Default: available CPUs, at most 8. */
  concurrency?: number;
  /** Use worker threads when the built worker is available. Default true. */
  workers?: boolean;
  /** Honour `.gitignore` files. Default true. */
  gitignore?: boolean;
  /** Extra gitignore-style patterns to skip. */
  exclude?: string[];
  /** Report personal data. Default true. */
  pii?: boolean;
  /** Alternative advisory file (format: README.md#advisory-file). */
  advisoriesPath?: string;
  /**
   * Extra pickle globals to treat as safe, e.g. your own model classes: `mypkg.models.Net`,
   * `mypkg.models.*`, `mypkg.**` (docs/scan.md#allow-list). Entries never override a critical verdict.
   */
  allowGlobals?: readonly string[];
  /** Override resource limits. */
  limits?: Partial<ScanLimits>;
  /** Called after discovery (with `done: 0`) and after every file. */
  onProgress?: (p: ScanProgress) => void;
}

function workerUrl(): URL | undefined {
  const url = new URL('./scan-worker.mjs', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
}

async function runWorkers(
  files: DiscoveredFile[],
  n: number,
  data: { limits: ScanLimits; advisories: AdvisoryDb; pii: boolean; allowGlobals: readonly string[] },
  url: URL,
  onResult: (r: FileResult) => void,
): Promise<void> {
  let next = 0;
  const one = () =>
    new Promise<void>((done, fail) => {
      const w = new Worker(url, { workerData: data });
      const feed = () => {
        if (next >= files.length) {
          void w.terminate().then(() => done());
          return;
        }
        w.postMessage(files[next++]);
      };
      w.on('message', (r: FileResult) => {
        onResult(r);
        feed();
      });
      w.on('error', fail);
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(n, files.length) }, one));
}

/**
 * Scans a folder, git checkout or single file and returns the report. Never executes or unpickles
 * anything it reads.
 * @example
 * const report = await scanPath('./models', { concurrency: 2 });
 * console.log(report.summary.findings.critical);
 */
export async function scanPath(path: string, options: ScanOptions = {}): Promise<ScanReport> {
  const started = new Date();
  const t0 = performance.now();
  const root = resolve(path);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const advisories = loadAdvisories(options.advisoriesPath);
  // Validated once here: a bad pattern stops the scan with a message naming it.
  const allowGlobals = options.allowGlobals ?? [];
  const policy = createGlobalPolicy({ allow: allowGlobals });
  const skipped: LogEntry[] = [];
  const files = walk(
    root,
    { gitignore: options.gitignore ?? true, exclude: options.exclude ?? [] },
    (file, why) => skipped.push({ level: 'info', file, message: `skipped: ${why}` }),
  );
  const total = files.length;
  const bytesTotal = files.reduce((a, f) => a + f.size, 0);
  let bytesDone = 0;
  const results: FileResult[] = [];
  options.onProgress?.({ done: 0, total, bytesDone, bytesTotal });
  const onResult = (r: FileResult) => {
    results.push(r);
    bytesDone += r.size;
    options.onProgress?.({ done: results.length, total, bytesDone, bytesTotal, file: r });
  };
  const concurrency = Math.max(1, options.concurrency ?? Math.min(8, availableParallelism()));
  const url = options.workers === false ? undefined : workerUrl();
  const pii = options.pii ?? true;
  if (url && concurrency > 1 && files.length > 1) {
    await runWorkers(files, concurrency, { limits, advisories, pii, allowGlobals }, url, onResult);
  } else {
    const detector = pii ? await resolvePiiDetector() : false;
    for (const f of files) {
      onResult(scanFile(f, { limits, advisories, pii: detector, policy }));
      // Yield so progress output and signals are handled between files.
      await new Promise((r) => setImmediate(r));
    }
  }
  // Workers finish out of order; reports are deterministic.
  results.sort((a, b) => a.file.localeCompare(b.file));
  for (const entry of policy.ignored)
    skipped.push({
      level: 'warn',
      message: `allow-list entry ${entry} ignored: it names a global rated critical, which an allow list cannot override`,
    });
  return buildReport(path, results, started, performance.now() - t0, skipped);
}

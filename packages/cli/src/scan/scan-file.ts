/**
 * Scans one discovered file. Synchronous by design (it runs inside worker threads); never throws:
 * an internal error becomes a log line and a low finding so one odd file cannot abort a CI run.
 * @module
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FileSource } from './bytes.js';
import { DEFAULT_LIMITS, logLine, report, type ScanContext, type ScanLimits } from './context.js';
import { type AdvisoryDb, scanDependencies } from './deps/advisories.js';
import { scanByMagic } from './dispatch.js';
import { scanOnnx } from './formats/onnx.js';
import { scanSafetensors } from './formats/safetensors.js';
import { scanTensorflow } from './formats/tensorflow.js';
import { createGlobalPolicy, type GlobalPolicy } from './pickle/policy.js';
import { scanPickle } from './pickle/scan-pickle.js';
import type { PiiDetector } from './text/pii.js';
import { scanTextFile } from './text/text-scan.js';
import type { FileResult } from './types.js';
import type { DiscoveredFile } from './walk.js';

/** Everything a file scan needs besides the file. */
export interface FileScanOptions {
  limits: ScanLimits;
  advisories: AdvisoryDb;
  pii: PiiDetector | false;
  /** How pickle imports are rated; default: the built-in allow list. */
  policy: GlobalPolicy;
}

function scanBinary(f: DiscoveredFile, ctx: ScanContext): void {
  const src = new FileSource(f.abs, f.size);
  try {
    if (f.magic) {
      scanByMagic(f.magic, src, ctx, f.kind === 'pickle' ? 'pickle' : undefined);
      return;
    }
    if (f.kind === 'tensorflow') {
      scanTensorflow(src, ctx);
      return;
    }
    if (f.kind === 'onnx') {
      scanOnnx(src, ctx);
      return;
    }
    // Protocol 0/1 pickles have no magic bytes; a .pkl file is parsed as pickle regardless.
    if (f.kind === 'pickle') {
      scanPickle(src, ctx);
      return;
    }
    // No safetensors magic: the header length or JSON is broken, which is what the scanner reports.
    if (f.kind === 'safetensors') {
      scanSafetensors(src, ctx);
      return;
    }
    logLine(ctx, 'warn', `unrecognised ${f.kind} content; not scanned`);
  } finally {
    src.close();
  }
}

/** Scans one file and returns its result. */
export function scanFile(
  f: DiscoveredFile,
  opts: Partial<FileScanOptions> & Pick<FileScanOptions, 'advisories'>,
): FileResult {
  const started = performance.now();
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const policy = opts.policy ?? createGlobalPolicy();
  const ctx: ScanContext = { file: f.path, absPath: f.abs, depth: 0, limits, policy, findings: [], log: [] };
  let scanned = true;
  try {
    if (f.mismatch) {
      report(ctx, {
        ruleId: 'format/mismatch',
        severity: f.magic === 'pickle' ? 'high' : 'medium',
        offset: 0,
        message: `File content does not match its name (${f.mismatch}); renamed files are a common way to slip models past reviews and filters.`,
        evidence: f.mismatch,
      });
    }
    const textKind =
      f.kind === 'notebook' || f.kind === 'python' || f.kind === 'config' || f.kind === 'requirements';
    if (textKind && f.size > limits.maxTextBytes) {
      scanned = false;
      logLine(ctx, 'warn', `skipped: ${f.size} bytes exceeds the ${limits.maxTextBytes}-byte text limit`);
    } else if (f.kind === 'requirements') {
      scanDependencies(readFileSync(f.abs, 'utf8'), basename(f.abs), opts.advisories, ctx);
    } else if (f.kind === 'notebook' || f.kind === 'python' || f.kind === 'config') {
      scanTextFile(readFileSync(f.abs, 'utf8'), f.kind, ctx, { pii: opts.pii ?? false });
    } else {
      scanBinary(f, ctx);
    }
  } catch (e) {
    logLine(ctx, 'error', `scanner error: ${(e as Error).stack ?? String(e)}`);
    report(ctx, {
      ruleId: 'scan/error',
      severity: 'low',
      message: `The scanner could not finish this file (${(e as Error).message}); review it manually.`,
    });
  }
  return {
    file: f.path,
    kind: f.kind,
    size: f.size,
    scanned,
    findings: ctx.findings,
    log: ctx.log,
    durationMs: performance.now() - started,
  };
}

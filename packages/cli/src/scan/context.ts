/**
 * What a format scanner gets: where it is (file, archive entry, nesting depth), the limits it must
 * respect, and a place to put findings and log lines.
 * @module
 */
import type { ByteSource } from './bytes.js';
import type { GlobalPolicy } from './pickle/policy.js';
import type { Finding, LogEntry } from './types.js';

/** Limits that keep memory and time bounded on hostile input. */
export interface ScanLimits {
  /** Largest text file (notebook, source, config) read into memory. Default 16 MiB. */
  maxTextBytes: number;
  /** Largest compressed archive entry inflated into memory. Default 256 MiB. */
  maxInflateBytes: number;
  /** Pickle opcodes interpreted per stream before giving up with a finding. Default 20 million. */
  maxPickleOps: number;
  /** Archive nesting depth followed. Default 4. */
  maxDepth: number;
}

/** Default limits. */
export const DEFAULT_LIMITS: ScanLimits = {
  maxTextBytes: 16 * 1024 * 1024,
  maxInflateBytes: 256 * 1024 * 1024,
  maxPickleOps: 20_000_000,
  maxDepth: 4,
};

/** A scan in progress over one file (and, through `child`, over entries inside it). */
export interface ScanContext {
  file: string;
  /** Absolute path of the file on disk, for checks that look at siblings (ONNX external data). */
  absPath: string;
  entry?: string;
  depth: number;
  limits: ScanLimits;
  /** How imported globals are rated (built-in rules plus the user's allow-list entries). */
  policy: GlobalPolicy;
  findings: Finding[];
  log: LogEntry[];
}

/** Records a finding located in the current file or archive entry. */
export function report(ctx: ScanContext, f: Omit<Finding, 'file' | 'entry'>): void {
  const finding: Finding = { ...f, file: ctx.file };
  if (ctx.entry !== undefined) finding.entry = ctx.entry;
  ctx.findings.push(finding);
}

/** Adds a detailed-log line for the current file. */
export function logLine(ctx: ScanContext, level: LogEntry['level'], message: string): void {
  ctx.log.push({ level, file: ctx.entry ? `${ctx.file}!${ctx.entry}` : ctx.file, message });
}

/** Adds a log line that the summary counts by its `code` (see `ScanSummary.notes`). */
export function logNote(ctx: ScanContext, code: string, message: string): void {
  ctx.log.push({ level: 'warn', file: ctx.entry ? `${ctx.file}!${ctx.entry}` : ctx.file, message, code });
}

/** A context for an entry nested in the current one (zip member, embedded pickle). */
export function child(ctx: ScanContext, entry: string): ScanContext {
  return { ...ctx, entry: ctx.entry ? `${ctx.entry}!${entry}` : entry, depth: ctx.depth + 1 };
}

/** A scanner for one binary format. */
export type BinaryScanner = (src: ByteSource, ctx: ScanContext) => void;

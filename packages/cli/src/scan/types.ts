/**
 * Plain-data types shared by every scanner and report writer. Nothing here is a class, so reports can be
 * serialized, sent across worker threads and compared in tests without surprises.
 * @module
 */

/** The four risk levels of seed 004 (Watchtower), lowest first. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** A finding's risk level. */
export type Severity = (typeof SEVERITIES)[number];

/** What a discovered file was recognised as. */
export type FileKind =
  | 'pickle'
  | 'pytorch'
  | 'numpy'
  | 'keras'
  | 'hdf5'
  | 'tensorflow'
  | 'onnx'
  | 'safetensors'
  | 'gguf'
  | 'zip'
  | 'notebook'
  | 'python'
  | 'config'
  | 'requirements';

/** Kinds counted as models in the summary; everything else is code, notebooks or dependency files. */
export const MODEL_KINDS: ReadonlySet<FileKind> = new Set([
  'pickle',
  'pytorch',
  'numpy',
  'keras',
  'hdf5',
  'tensorflow',
  'onnx',
  'safetensors',
  'gguf',
  'zip',
]);

/** One problem found in one file. */
export interface Finding {
  /** Stable rule identifier, e.g. `pickle/dangerous-global`; SARIF rules are keyed by it. */
  ruleId: string;
  severity: Severity;
  /** Path relative to the scan root, with forward slashes. */
  file: string;
  /** 1-based line, for text files. */
  line?: number;
  /** Byte offset, for binary files (relative to `entry` when set). */
  offset?: number;
  /** Path inside an archive (`archive/data.pkl`), nested archives joined with `!`. */
  entry?: string;
  /** Human-readable explanation with the fix. */
  message: string;
  /** What was seen; secrets are always masked before they get here. */
  evidence?: string;
  /** CWE identifier, e.g. `CWE-502`. */
  cwe?: string;
}

/** One line of the detailed log. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  file?: string;
  message: string;
  /** Stable code of a note the summary counts (`ScanSummary.notes`), e.g. `secret/placeholder-skipped`. */
  code?: string;
}

/** Log code of a secret-like value skipped because it looks like a placeholder. */
export const PLACEHOLDER_SECRET = 'secret/placeholder-skipped';

/** The result of scanning one file. */
export interface FileResult {
  file: string;
  kind: FileKind;
  size: number;
  /** False when the file was discovered but skipped (too large, unreadable). */
  scanned: boolean;
  findings: Finding[];
  log: LogEntry[];
  durationMs: number;
}

/** Counts per severity. */
export type SeverityCounts = Record<Severity, number>;

/** The report summary: what was found and how bad it is (seed 004's "Summary Report"). */
export interface ScanSummary {
  target: string;
  filesFound: Partial<Record<FileKind, number>>;
  filesScanned: Partial<Record<FileKind, number>>;
  modelsFound: number;
  modelsScanned: number;
  codeFilesFound: number;
  codeFilesScanned: number;
  bytesScanned: number;
  durationMs: number;
  findings: SeverityCounts;
  modelFindings: SeverityCounts;
  codeFindings: SeverityCounts;
  /** Log lines per note code, e.g. `{ "secret/placeholder-skipped": 2 }`: things skipped that a person may want to check. */
  notes: Record<string, number>;
}

/** Everything `scanPath` returns and the report writers consume. */
export interface ScanReport {
  schemaVersion: 1;
  tool: { name: 'ai-shield'; version: string };
  startedAt: string;
  summary: ScanSummary;
  /** Every finding, most severe first (seed 004's "Severity Mapping Report"). */
  findings: Finding[];
  /** Per-file results and messages (seed 004's "Detailed Report"). */
  files: Array<Omit<FileResult, 'findings'>>;
  /** Messages not tied to one scanned file (skipped paths, discovery notes). */
  log: LogEntry[];
}

/** Numeric rank of a severity, for sorting and `--fail-on`. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Whether `value` names a severity. */
export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

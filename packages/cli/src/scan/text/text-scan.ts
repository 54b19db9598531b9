/**
 * Scans text: Python sources, configs and notebooks (code cells, markdown and outputs) for secrets, PII
 * and risky code. Findings carry the line in the file on disk so SARIF viewers can jump to them.
 * @module
 */
import { logLine, logNote, report, type ScanContext } from '../context.js';
import { PLACEHOLDER_SECRET } from '../types.js';
import { maskPii, type PiiDetector, piiSeverity } from './pii.js';
import { findRiskyCode } from './risky-code.js';
import { findSecrets, fingerprint, maskSecret, type SecretHit } from './secrets.js';

/** A piece of text with its position in the file. */
export interface Segment {
  text: string;
  /** 1-based file line of the segment's first line. */
  line: number;
  /** When false, every match is reported at `line` (e.g. a notebook cell stored as one JSON string). */
  linesMap: boolean;
  code: boolean;
  label?: string;
}

/** Options for text scanning. */
export interface TextScanOptions {
  pii: PiiDetector | false;
  /** PII findings reported per file before the rest are only counted. Default 50. */
  maxPiiPerFile?: number;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function lineOf(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function maskAll(text: string): string {
  let out = text;
  for (const s of findSecrets(text)) out = out.replace(s.value, maskSecret(s.value));
  return out;
}

/** Scans segments of one file. */
export function scanSegments(segments: Segment[], ctx: ScanContext, opts: TextScanOptions): void {
  let piiCount = 0;
  let piiDropped = 0;
  const maxPii = opts.maxPiiPerFile ?? 50;
  for (const seg of segments) {
    const starts = seg.linesMap ? lineStarts(seg.text) : [0];
    const at = (index: number) => seg.line + (seg.linesMap ? lineOf(starts, index) : 0);
    const where = seg.label ? `${seg.label}: ` : '';
    const placeholders: SecretHit[] = [];
    for (const s of findSecrets(seg.text, placeholders)) {
      report(ctx, {
        ruleId: s.ruleId,
        severity: s.severity,
        line: at(s.index),
        message: `Hard-coded ${s.label}. Revoke it, then load it from the environment or a secret manager.`,
        evidence: `${where}${maskSecret(s.value)} sha256:${fingerprint(s.value)}`,
        cwe: 'CWE-798',
      });
    }
    // Not reported, but not silently dropped either: a real key can look like a placeholder.
    for (const s of placeholders) {
      logNote(
        ctx,
        PLACEHOLDER_SECRET,
        `line ${at(s.index)}: ${where}${s.label} skipped as a placeholder (${maskSecret(s.value)}); check it is not a real secret`,
      );
    }
    if (seg.code) {
      for (const h of findRiskyCode(seg.text)) {
        report(ctx, {
          ruleId: h.ruleId,
          severity: h.severity,
          line: at(h.index),
          message: h.message,
          evidence: `${where}${maskAll(h.snippet)}`,
          cwe: h.cwe,
        });
      }
    }
    if (opts.pii) {
      for (const e of opts.pii(seg.text).entities) {
        if (e.confidence < 0.5) continue;
        if (piiCount >= maxPii) {
          piiDropped++;
          continue;
        }
        piiCount++;
        report(ctx, {
          ruleId: `pii/${e.type.toLowerCase().replaceAll('_', '-')}`,
          severity: piiSeverity(e.type),
          line: at(e.start),
          message: `Personal data (${e.type}) in ${seg.code ? 'code' : 'text'}; remove it or use synthetic data.`,
          evidence: `${where}${maskPii(seg.text.slice(e.start, e.end))}`,
          cwe: 'CWE-359',
        });
      }
    }
  }
  if (piiDropped) logLine(ctx, 'warn', `${piiDropped} more PII matches not listed individually`);
}

/** Output fields worth reading; images and widgets are skipped. */
const TEXT_MIME = ['text/plain', 'text/html', 'text/markdown', 'application/json', 'text/latex'];

function joinSource(s: unknown): string {
  if (Array.isArray(s)) return s.filter((x) => typeof x === 'string').join('');
  return typeof s === 'string' ? s : '';
}

/** Splits a notebook into segments: each cell's source, and each code cell's text outputs. */
export function notebookSegments(raw: string): Segment[] | undefined {
  let nb: { cells?: unknown };
  try {
    nb = JSON.parse(raw) as { cells?: unknown };
  } catch {
    return undefined;
  }
  if (!Array.isArray(nb.cells)) return undefined;
  const starts = lineStarts(raw);
  const segments: Segment[] = [];
  let searchFrom = 0;
  nb.cells.forEach((cell: Record<string, unknown>, i: number) => {
    const keyAt = raw.indexOf('"source"', searchFrom);
    // nbformat writes one source line per JSON line, so line k of the cell is on file line first + k.
    const arrayForm = keyAt >= 0 && /^"source":\s*\[\s*\n/.test(raw.slice(keyAt, keyAt + 40));
    const first = keyAt >= 0 ? lineOf(starts, keyAt) + 1 + (arrayForm ? 1 : 0) : 1;
    if (keyAt >= 0) searchFrom = keyAt + 8;
    const type = String(cell.cell_type ?? 'code');
    segments.push({
      text: joinSource(cell.source),
      line: first,
      linesMap: arrayForm,
      code: type === 'code',
      label: `cell ${i + 1} (${type})`,
    });
    if (!Array.isArray(cell.outputs)) return;
    const outAt = raw.indexOf('"outputs"', searchFrom);
    const outLine = outAt >= 0 ? lineOf(starts, outAt) + 1 : first;
    const texts: string[] = [];
    for (const o of cell.outputs as Array<Record<string, unknown>>) {
      texts.push(joinSource(o.text));
      if (Array.isArray(o.traceback)) texts.push(o.traceback.join('\n'));
      const data = o.data as Record<string, unknown> | undefined;
      for (const mime of TEXT_MIME) {
        const v = data?.[mime];
        if (v !== undefined)
          texts.push(typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : joinSource(v));
      }
    }
    const text = texts.filter(Boolean).join('\n');
    if (text)
      segments.push({ text, line: outLine, linesMap: false, code: false, label: `cell ${i + 1} (output)` });
  });
  return segments;
}

/** Scans one text file of the given kind. */
export function scanTextFile(
  raw: string,
  kind: 'notebook' | 'python' | 'config',
  ctx: ScanContext,
  opts: TextScanOptions,
): void {
  if (kind === 'notebook') {
    const segs = notebookSegments(raw);
    if (segs) {
      scanSegments(segs, ctx, opts);
      return;
    }
    report(ctx, {
      ruleId: 'notebook/malformed',
      severity: 'low',
      message: 'Notebook is not valid nbformat JSON; scanned as plain text.',
    });
  }
  scanSegments([{ text: raw, line: 1, linesMap: true, code: kind === 'python' }], ctx, opts);
}

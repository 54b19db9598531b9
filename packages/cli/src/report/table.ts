/**
 * The human-readable terminal report: a findings table and the summary, coloured when the stream is a TTY.
 * @module
 */
import pc from 'picocolors';
import { type Finding, PLACEHOLDER_SECRET, type ScanReport, type Severity } from '../scan/types.js';

type Colors = ReturnType<typeof pc.createColors>;

function paint(c: Colors, s: Severity, text: string): string {
  return s === 'critical'
    ? c.bold(c.red(text))
    : s === 'high'
      ? c.red(text)
      : s === 'medium'
        ? c.yellow(text)
        : c.dim(text);
}

function where(f: Finding): string {
  const pos = f.line !== undefined ? `:${f.line}` : f.offset !== undefined ? `@${f.offset}` : '';
  return f.entry ? `${f.file}!${f.entry}${pos}` : `${f.file}${pos}`;
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Renders the table report. */
export function toTable(report: ScanReport, color: boolean, width = 120): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  const locW = Math.max(20, Math.min(48, Math.floor(width * 0.35)));
  const ruleW = 28;
  const evW = Math.max(20, width - locW - ruleW - 14);
  if (report.findings.length) {
    lines.push(c.bold(`${'SEVERITY'.padEnd(10)}${'RULE'.padEnd(ruleW)}${'LOCATION'.padEnd(locW)}EVIDENCE`));
    for (const f of report.findings) {
      lines.push(
        paint(c, f.severity, f.severity.toUpperCase().padEnd(10)) +
          cut(f.ruleId, ruleW - 2).padEnd(ruleW) +
          cut(where(f), locW - 2).padEnd(locW) +
          cut(f.evidence ?? f.message, evW),
      );
    }
    lines.push('');
  }
  const s = report.summary;
  const counts = (k: Record<Severity, number>) =>
    (['critical', 'high', 'medium', 'low'] as const)
      .map((sev) => paint(c, sev, `${k[sev]} ${sev}`))
      .join(', ');
  lines.push(c.bold(`Scanned ${s.target}`));
  lines.push(
    `  models:    ${s.modelsScanned}/${s.modelsFound} scanned   findings: ${counts(s.modelFindings)}`,
  );
  lines.push(
    `  code/deps: ${s.codeFilesScanned}/${s.codeFilesFound} scanned   findings: ${counts(s.codeFindings)}`,
  );
  const kinds = Object.entries(s.filesFound).map(
    ([k, n]) => `${k} ${s.filesScanned[k as keyof typeof s.filesScanned] ?? 0}/${n}`,
  );
  if (kinds.length) lines.push(`  by kind:   ${kinds.join(', ')}`);
  lines.push(`  ${(s.bytesScanned / 1048576).toFixed(1)} MB in ${(s.durationMs / 1000).toFixed(2)} s`);
  const placeholders = s.notes[PLACEHOLDER_SECRET];
  if (placeholders) {
    const first = report.files.flatMap((file) => file.log).find((entry) => entry.code === PLACEHOLDER_SECRET);
    lines.push(
      c.yellow(
        `  note:      ${placeholders} secret-like value${placeholders === 1 ? ' was' : 's were'} skipped as placeholder${placeholders === 1 ? '' : 's'} (first: ${first?.file} ${first?.message}); see the log (--out) for all`,
      ),
    );
  }
  return lines.join('\n');
}

/**
 * Turns per-file results into the report: summary counts (seed 004's summary report), findings sorted
 * by severity (severity mapping) and the per-file log (detailed report).
 * @module
 */
import packageJson from '../../package.json' with { type: 'json' };
import {
  type FileResult,
  type LogEntry,
  MODEL_KINDS,
  type ScanReport,
  type SeverityCounts,
  severityRank,
} from '../scan/types.js';

/** The CLI version written into reports: the package's own, so a release (changesets) updates it. */
export const VERSION: string = packageJson.version;

function zero(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

/** Assembles a report. */
export function buildReport(
  target: string,
  results: FileResult[],
  startedAt: Date,
  durationMs: number,
  log: LogEntry[] = [],
): ScanReport {
  const summary: ScanReport['summary'] = {
    target,
    filesFound: {},
    filesScanned: {},
    modelsFound: 0,
    modelsScanned: 0,
    codeFilesFound: 0,
    codeFilesScanned: 0,
    bytesScanned: 0,
    durationMs: Math.round(durationMs),
    findings: zero(),
    modelFindings: zero(),
    codeFindings: zero(),
    notes: {},
  };
  const findings = [];
  for (const r of results) {
    const model = MODEL_KINDS.has(r.kind);
    summary.filesFound[r.kind] = (summary.filesFound[r.kind] ?? 0) + 1;
    if (model) summary.modelsFound++;
    else summary.codeFilesFound++;
    if (r.scanned) {
      summary.filesScanned[r.kind] = (summary.filesScanned[r.kind] ?? 0) + 1;
      summary.bytesScanned += r.size;
      if (model) summary.modelsScanned++;
      else summary.codeFilesScanned++;
    }
    for (const entry of r.log) {
      if (entry.code) summary.notes[entry.code] = (summary.notes[entry.code] ?? 0) + 1;
    }
    for (const f of r.findings) {
      summary.findings[f.severity]++;
      (model ? summary.modelFindings : summary.codeFindings)[f.severity]++;
      findings.push(f);
    }
  }
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.file.localeCompare(b.file) ||
      (a.line ?? a.offset ?? 0) - (b.line ?? b.offset ?? 0),
  );
  return {
    schemaVersion: 1,
    tool: { name: 'ai-shield', version: VERSION },
    startedAt: startedAt.toISOString(),
    summary,
    findings,
    files: results.map(({ findings: _f, ...rest }) => ({
      ...rest,
      durationMs: Math.round(rest.durationMs * 10) / 10,
    })),
    log,
  };
}

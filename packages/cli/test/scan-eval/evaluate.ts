/**
 * Writes the labeled corpus to a folder, scans it with `scanPath`, and scores the result: recall at the
 * right severity (a malicious file counts when its worst finding is at least its label), false-positive
 * rate (a benign file counts when it gets any finding of medium or above), per category.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ScanOptions, scanPath } from '../../src/scan/scanner.js';
import { type Finding, type Severity, severityRank } from '../../src/scan/types.js';
import { buildCorpus, type CorpusFile } from './corpus.js';

export interface FileOutcome {
  file: CorpusFile;
  worst: Severity | 'none';
  ok: boolean;
  findings: Finding[];
}

export interface EvalResult {
  files: number;
  malicious: number;
  benign: number;
  recall: number;
  /** Malicious files whose worst finding equals the label exactly. */
  exact: number;
  falsePositiveRate: number;
  byCategory: Map<string, { total: number; ok: number }>;
  failures: FileOutcome[];
}

export function writeCorpus(dir: string, corpus = buildCorpus()): CorpusFile[] {
  for (const f of corpus) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
  }
  return corpus;
}

function worstOf(findings: Finding[]): Severity | 'none' {
  let w: Severity | 'none' = 'none';
  for (const f of findings) if (w === 'none' || severityRank(f.severity) > severityRank(w)) w = f.severity;
  return w;
}

export async function evaluate(dir: string, options: ScanOptions = {}): Promise<EvalResult> {
  const corpus = writeCorpus(dir);
  const report = await scanPath(dir, { workers: false, ...options });
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const outcomes: FileOutcome[] = corpus.map((file) => {
    const findings = byFile.get(file.path) ?? [];
    const worst = worstOf(findings);
    const ok =
      file.label === 'benign'
        ? worst === 'none' || worst === 'low'
        : worst !== 'none' && severityRank(worst) >= severityRank(file.label);
    return { file, worst, ok, findings };
  });
  const byCategory = new Map<string, { total: number; ok: number }>();
  for (const o of outcomes) {
    const c = byCategory.get(o.file.category) ?? { total: 0, ok: 0 };
    c.total++;
    if (o.ok) c.ok++;
    byCategory.set(o.file.category, c);
  }
  const mal = outcomes.filter((o) => o.file.label !== 'benign');
  const ben = outcomes.filter((o) => o.file.label === 'benign');
  return {
    files: outcomes.length,
    malicious: mal.length,
    benign: ben.length,
    recall: mal.filter((o) => o.ok).length / mal.length,
    exact: mal.filter((o) => o.worst === o.file.label).length / mal.length,
    falsePositiveRate: ben.filter((o) => !o.ok).length / ben.length,
    byCategory,
    failures: outcomes.filter((o) => !o.ok),
  };
}

export function formatResult(r: EvalResult): string {
  const lines = [
    `${r.files} files: ${r.malicious} malicious, ${r.benign} benign`,
    `recall at the right severity ${r.recall.toFixed(3)} (exact severity ${r.exact.toFixed(3)}), false-positive rate ${r.falsePositiveRate.toFixed(3)}`,
    '',
    'category                                            ok / total',
  ];
  for (const [c, { ok, total }] of r.byCategory)
    lines.push(`${c.padEnd(52)}${String(ok).padStart(3)} / ${total}`);
  if (r.failures.length) {
    lines.push('', 'misses and false positives:');
    for (const f of r.failures)
      lines.push(
        `  ${f.file.path} (label ${f.file.label}, worst ${f.worst}): ${f.findings.map((x) => `${x.severity} ${x.ruleId}`).join(', ') || 'no findings'}`,
      );
  }
  return lines.join('\n');
}

/**
 * Terminal rendering of an assessment: the overall level, one row per threat (inherent → residual),
 * the measured figures behind measured weights, the compliance summary per framework and the top
 * recommendations. Coloured when the stream is a TTY.
 * @module
 */
import { type AssessmentReport, measuredLines, type RiskLevel } from '@ai-shield/assess';
import pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;

function paint(c: Colors, level: RiskLevel, text: string): string {
  return level === 'critical'
    ? c.bold(c.red(text))
    : level === 'high'
      ? c.red(text)
      : level === 'medium'
        ? c.yellow(text)
        : c.green(text);
}

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Renders the table report; `width` is the terminal width. */
export function assessToTable(report: AssessmentReport, color: boolean, width = 120, top = 10): string {
  const c = pc.createColors(color);
  const { deployment: d, overall } = report;
  const lines: string[] = [];
  lines.push(
    c.bold(`AI Shield assessment: ${d.name} (${d.modelKind}, ${d.exposure}, ${d.dataSensitivity} data)`),
  );
  lines.push(
    `Overall risk: ${paint(c, overall.level, overall.level.toUpperCase())} (inherent ${overall.inherentLevel}), highest residual score ${overall.score}/25, catalog ${report.catalogVersion}`,
  );
  lines.push('');
  const titleW = Math.max(24, Math.min(48, width - 70));
  lines.push(
    c.bold(
      `${'THREAT'.padEnd(20)}${'TITLE'.padEnd(titleW)}${'INHERENT'.padEnd(14)}${'RESIDUAL'.padEnd(15)}REFERENCES`,
    ),
  );
  for (const t of report.threats) {
    const refs = [...(t.references.owaspLlm ?? []), ...(t.references.atlas ?? [])].slice(0, 2).join(' ');
    if (!t.applicable) {
      lines.push(
        c.dim(`${t.id.padEnd(20)}${cut(t.title, titleW - 2).padEnd(titleW)}${'n/a'.padEnd(29)}${refs}`),
      );
      continue;
    }
    lines.push(
      t.id.padEnd(20) +
        cut(t.title, titleW - 2).padEnd(titleW) +
        paint(c, t.inherent.level, `${t.inherent.score} ${t.inherent.level}`.padEnd(14)) +
        paint(c, t.residual.level, `${t.residual.score} ${t.residual.level}`.padEnd(15)) +
        refs,
    );
  }
  for (const control of report.controls.filter((x) => x.measured)) {
    lines.push('');
    lines.push(c.bold(`Measured effects: ${control.id}`));
    for (const line of measuredLines(control, report.threats)) lines.push(`  ${line.text}`);
  }
  lines.push('');
  lines.push(c.bold('Compliance'));
  for (const list of report.compliance) {
    const s = list.summary;
    lines.push(
      `  ${list.title.padEnd(40)} ${c.green(`${s.present} present`)}, ${c.yellow(`${s.partial} partial`)}, ${c.red(`${s.missing} missing`)}`,
    );
  }
  if (report.evidence.audit) {
    const a = report.evidence.audit;
    const counts = Object.entries(a.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push('');
    lines.push(
      a.verified
        ? `Audit evidence: ${a.entries} entries (${a.from ?? '?'} .. ${a.to ?? '?'}): ${counts || 'nothing notable'}`
        : c.red(`Audit evidence NOT used: ${a.error}`),
    );
  }
  if (report.evidence.probes?.length) {
    lines.push('');
    lines.push(c.bold('Probes'));
    for (const p of report.evidence.probes) {
      const verdict =
        p.verdict === 'verified'
          ? c.green(p.verdict)
          : p.verdict === 'not-effective'
            ? c.red(p.verdict)
            : c.dim(p.verdict);
      lines.push(
        `  ${p.name.padEnd(16)}${p.control.padEnd(22)}${verdict.padEnd(color ? 24 : 15)} ${cut(p.detail, width - 60)}`,
      );
    }
  }
  if (report.recommendations.length) {
    lines.push('');
    lines.push(
      c.bold(
        `Recommendations (top ${Math.min(top, report.recommendations.length)} of ${report.recommendations.length})`,
      ),
    );
    for (const r of report.recommendations.slice(0, top)) {
      lines.push(
        `  ${String(r.rank).padStart(2)}. ${paint(c, r.priority, `[${r.priority}]`)} ${r.title} (-${r.riskReduction})`,
      );
      for (const change of r.changes) lines.push(`      - ${change.change}`);
    }
  }
  for (const warning of report.warnings) lines.push(c.yellow(`warning: ${warning}`));
  return lines.join('\n');
}

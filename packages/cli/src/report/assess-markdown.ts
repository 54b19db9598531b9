/**
 * Markdown rendering of an assessment (for PR comments and wikis): summary, threats, measured effects,
 * recommendations, one checklist per framework, evidence and warnings.
 * @module
 */
import { type AssessmentReport, measuredLines } from '@ai-shield/assess';

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Renders the Markdown report. */
export function assessToMarkdown(report: AssessmentReport): string {
  const { deployment: d, overall } = report;
  const out: string[] = [];
  out.push(`# AI Shield assessment: ${d.name}`);
  out.push('');
  out.push(
    `**Overall risk: ${overall.level.toUpperCase()}** (inherent ${overall.inherentLevel}; highest residual score ${overall.score}/25). ` +
      `Model \`${d.modelKind}\`, exposure \`${d.exposure}\`, data \`${d.dataSensitivity}\`. Catalog ${report.catalogVersion}.`,
  );
  out.push('');
  out.push(
    `Residual levels: ${overall.counts.critical} critical, ${overall.counts.high} high, ${overall.counts.medium} medium, ${overall.counts.low} low.`,
  );
  out.push('');
  out.push('## Threats');
  out.push('');
  out.push('| id | threat | inherent | residual | drivers | references |');
  out.push('|---|---|---|---|---|---|');
  for (const t of report.threats) {
    const refs = [
      ...(t.references.owaspLlm ?? []),
      ...(t.references.atlas ?? []),
      ...(t.references.nistAiRmf ?? []),
      ...(t.references.cwe ?? []),
    ].join(', ');
    const inherent = t.applicable ? `${t.inherent.score} ${t.inherent.level}` : 'n/a';
    const residual = t.applicable ? `**${t.residual.score} ${t.residual.level}**` : 'n/a';
    out.push(
      `| ${t.id} | ${cell(t.title)} | ${inherent} | ${residual} | ${cell(t.drivers.join('; '))} | ${refs} |`,
    );
  }
  const measured = report.controls.filter((control) => control.measured);
  if (measured.length) {
    out.push('');
    out.push('## Measured effects');
    for (const control of measured) {
      out.push('');
      out.push(`### \`${control.id}\` ${control.title}`);
      out.push('');
      for (const line of measuredLines(control, report.threats)) {
        out.push(`- ${line.text}`);
        if (line.detail) out.push(`  - per family: ${line.detail}`);
      }
    }
  }
  out.push('');
  out.push('## Recommendations');
  out.push('');
  if (report.recommendations.length === 0) out.push('None: every relevant control is in place.');
  for (const r of report.recommendations) {
    out.push(
      `${r.rank}. **[${r.priority}] ${r.title}** (\`${r.control}\`, lowers ${r.threats.join(', ')} by ${r.riskReduction})`,
    );
    for (const change of r.changes) out.push(`   - ${change.change}`);
  }
  out.push('');
  out.push('## Compliance');
  for (const list of report.compliance) {
    out.push('');
    out.push(`### ${list.title}`);
    out.push('');
    out.push(
      `${list.summary.present} present, ${list.summary.partial} partial, ${list.summary.missing} missing.`,
    );
    out.push('');
    out.push('| id | title | status | evidence |');
    out.push('|---|---|---|---|');
    for (const item of list.items) {
      out.push(`| ${item.id} | ${cell(item.title)} | ${item.status} | ${cell(item.evidence.join('; '))} |`);
    }
  }
  out.push('');
  out.push('## Controls');
  out.push('');
  out.push('| control | status | evidence |');
  out.push('|---|---|---|');
  for (const control of report.controls) {
    const probe = control.probe ? ` (probe: ${control.probe.verdict})` : '';
    out.push(
      `| \`${control.id}\` ${cell(control.title)} | ${control.status}${probe} | ${cell(control.evidence.join('; '))} |`,
    );
  }
  const { audit, probes } = report.evidence;
  if (audit || probes?.length) {
    out.push('');
    out.push('## Evidence');
    out.push('');
    if (audit) {
      out.push(
        audit.verified
          ? `- Audit log: ${audit.entries} entries verified (${audit.from ?? '?'} .. ${audit.to ?? '?'}): ${
              Object.entries(audit.counts)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'nothing notable'
            }`
          : `- Audit log NOT used: ${audit.error}`,
      );
    }
    for (const p of probes ?? [])
      out.push(`- Probe \`${p.name}\` (${p.control}): **${p.verdict}**, ${p.detail}`);
  }
  if (report.warnings.length) {
    out.push('');
    out.push('## Warnings');
    out.push('');
    for (const warning of report.warnings) out.push(`- ${warning}`);
  }
  return `${out.join('\n')}\n`;
}

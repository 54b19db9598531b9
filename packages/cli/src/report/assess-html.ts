/**
 * Self-contained HTML rendering of an assessment: one file, inline CSS, no scripts, no external
 * resources; every value is escaped. The JSON report is embedded for tooling.
 * @module
 */
import { type AssessmentReport, type ControlStatus, measuredLines, type RiskLevel } from '@ai-shield/assess';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

function level(l: RiskLevel, text: string = l): string {
  return `<span class="lv ${l}">${e(text)}</span>`;
}

function status(s: ControlStatus): string {
  return `<span class="st ${s}">${e(s)}</span>`;
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#1d1d1f;padding:0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}code{background:#f5f5f7;padding:0 .2rem;border-radius:3px}.muted{color:#888}
.lv,.st{display:inline-block;padding:0 .45rem;border-radius:3px;font-weight:600}
.lv.low,.st.present{background:#d8f5dd;color:#135d22}.lv.medium,.st.partial{background:#fff2c6;color:#6b5200}
.lv.high,.st.missing{background:#ffd9d6;color:#8a1c12}.lv.critical{background:#8a1c12;color:#fff}.st.not-applicable{background:#eee;color:#666}`;

/** Renders the HTML report. */
export function assessToHtml(report: AssessmentReport): string {
  const { deployment: d, overall } = report;
  const h: string[] = [];
  h.push('<!doctype html><html lang="en"><head><meta charset="utf-8">');
  h.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  h.push(`<title>AI Shield assessment: ${e(d.name)}</title><style>${CSS}</style></head><body>`);
  h.push(`<h1>AI Shield assessment: ${e(d.name)}</h1>`);
  h.push(
    `<p>Overall risk ${level(overall.level, overall.level.toUpperCase())} (inherent ${level(overall.inherentLevel)}; highest residual score ${overall.score}/25).<br>` +
      `Model <code>${e(d.modelKind)}</code>, exposure <code>${e(d.exposure)}</code>, data <code>${e(d.dataSensitivity)}</code>. Catalog ${e(report.catalogVersion)}.</p>`,
  );
  if (report.warnings.length) h.push(`<ul>${report.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`);

  h.push(
    '<h2>Threats</h2><table><tr><th>id</th><th>threat</th><th>inherent</th><th>residual</th><th>drivers</th><th>references</th></tr>',
  );
  for (const t of report.threats) {
    const refs = [
      ...(t.references.owaspLlm ?? []),
      ...(t.references.atlas ?? []),
      ...(t.references.nistAiRmf ?? []),
      ...(t.references.cwe ?? []),
    ];
    h.push(
      `<tr${t.applicable ? '' : ' class="muted"'}><td>${e(t.id)}</td><td>${e(t.title)}</td>` +
        `<td>${t.applicable ? `${t.inherent.score} ${level(t.inherent.level)}` : 'n/a'}</td>` +
        `<td>${t.applicable ? `${t.residual.score} ${level(t.residual.level)}` : 'n/a'}</td>` +
        `<td>${t.drivers.map(e).join('<br>')}</td><td>${refs.map(e).join(', ')}</td></tr>`,
    );
  }
  h.push('</table>');

  const measured = report.controls.filter((control) => control.measured);
  if (measured.length) h.push('<h2>Measured effects</h2>');
  for (const control of measured) {
    h.push(`<h3><code>${e(control.id)}</code> ${e(control.title)}</h3><ul>`);
    for (const line of measuredLines(control, report.threats)) {
      h.push(
        `<li>${e(line.text)}${line.detail ? `<br><span class="muted">per family: ${e(line.detail)}</span>` : ''}</li>`,
      );
    }
    h.push('</ul>');
  }

  h.push('<h2>Recommendations</h2>');
  if (report.recommendations.length === 0) h.push('<p>None: every relevant control is in place.</p>');
  else h.push('<ol>');
  for (const r of report.recommendations) {
    h.push(
      `<li>${level(r.priority)} <strong>${e(r.title)}</strong> (<code>${e(r.control)}</code>, lowers ${r.threats.map(e).join(', ')} by ${r.riskReduction})` +
        `<ul>${r.changes.map((c) => `<li>${e(c.change)}</li>`).join('')}</ul></li>`,
    );
  }
  if (report.recommendations.length) h.push('</ol>');

  h.push('<h2>Compliance</h2>');
  for (const list of report.compliance) {
    h.push(
      `<h3>${e(list.title)}</h3><p>${list.summary.present} present, ${list.summary.partial} partial, ${list.summary.missing} missing.</p>`,
    );
    h.push('<table><tr><th>id</th><th>title</th><th>status</th><th>evidence</th></tr>');
    for (const item of list.items) {
      h.push(
        `<tr><td>${e(item.id)}</td><td>${e(item.title)}</td><td>${status(item.status)}</td><td>${item.evidence.map(e).join('<br>')}</td></tr>`,
      );
    }
    h.push('</table>');
  }

  h.push('<h2>Controls</h2><table><tr><th>control</th><th>status</th><th>evidence</th></tr>');
  for (const c of report.controls) {
    const probe = c.probe ? ` <span class="muted">probe: ${e(c.probe.verdict)}</span>` : '';
    h.push(
      `<tr><td><code>${e(c.id)}</code> ${e(c.title)}</td><td>${status(c.status)}${probe}</td><td>${c.evidence.map(e).join('<br>')}</td></tr>`,
    );
  }
  h.push('</table>');

  const { audit, probes } = report.evidence;
  if (audit || probes?.length) {
    h.push('<h2>Evidence</h2><ul>');
    if (audit) {
      const counts = Object.entries(audit.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      h.push(
        audit.verified
          ? `<li>Audit log: ${audit.entries} entries verified: ${e(counts || 'nothing notable')}</li>`
          : `<li>Audit log NOT used: ${e(audit.error ?? '')}</li>`,
      );
    }
    for (const p of probes ?? [])
      h.push(
        `<li>Probe <code>${e(p.name)}</code> (${e(p.control)}): <strong>${e(p.verdict)}</strong>, ${e(p.detail)}</li>`,
      );
    h.push('</ul>');
  }
  // `<` is escaped so the embedded JSON cannot close the script element.
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  h.push(`<script type="application/json" id="ai-shield-assessment">${json}</script>`);
  h.push('</body></html>');
  return `${h.join('\n')}\n`;
}

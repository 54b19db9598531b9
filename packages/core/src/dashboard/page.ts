/**
 * The dashboard page: one self-contained HTML document (inline CSS and JS, no CDN, no web fonts, no
 * images), so it works offline and under a strict Content-Security-Policy that allows only these two
 * inline blocks (by hash) and requests to its own origin. The page holds no data: it asks for the token,
 * keeps it in `sessionStorage`, and polls `api/summary` with it. Every value from the API is written with
 * `textContent` or as SVG geometry, never as markup (client addresses and identities are user-controlled).
 * @module
 */
import { sha256 } from '../audit/sha256.js';

const STYLE = `
:root{--bg:#f4f5f7;--card:#fff;--ink:#1c2430;--muted:#5c6776;--line:#e1e4e8;--allow:#2e7d32;--flag:#c77700;--block:#c62828;--accent:#1f4e99;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:10px 20px;background:#14213d;color:#fff}
header h1{font-size:17px;margin:0;font-weight:650;letter-spacing:.2px}
header .meta{color:#c9d2e3;font-size:12.5px}
header .spacer{flex:1}
#live{font-size:12.5px;color:#c9d2e3;display:flex;align-items:center;gap:6px}
#live::before{content:"";width:8px;height:8px;border-radius:50%;background:#8a94a6}
#live.on::before{background:#4caf50}#live.off::before{background:#e57373}
button{font:inherit;border:1px solid var(--line);background:#fff;color:var(--ink);border-radius:6px;padding:5px 10px;cursor:pointer}
header button{background:transparent;color:#fff;border-color:#4a5a7a}
main{padding:16px 20px 28px;display:grid;gap:14px;grid-template-columns:repeat(12,minmax(0,1fr))}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;min-width:0}
section * + h2{margin-top:14px}
section h2{font-size:12.5px;text-transform:uppercase;letter-spacing:.6px;color:var(--muted);margin:0 0 8px;font-weight:650}
.kpis{grid-column:1/-1;display:grid;gap:10px;grid-template-columns:repeat(8,minmax(0,1fr));background:none;border:0;padding:0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px;min-width:0}
.kpi .label{font-size:12px;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.kpi .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.kpi .value.pill{font-size:15px;padding:2px 12px;margin-top:8px;display:inline-block}
.kpi.allow .value{color:var(--allow)}.kpi.flag .value{color:var(--flag)}.kpi.block .value{color:var(--block)}
.wide{grid-column:1/-1}.third{grid-column:span 4}.half{grid-column:span 6}
.chart-head{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin-bottom:6px}
.chart-head h2{margin:0}.legend{display:flex;gap:12px;font-size:12.5px;color:var(--muted)}
.legend span::before{content:"";display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px;background:currentColor}
.legend .a{color:var(--allow)}.legend .f{color:var(--flag)}.legend .b{color:var(--block)}
.legend span{color:inherit}
.range{margin-left:auto;display:flex;gap:4px}.range button{padding:3px 8px;font-size:12.5px}.range button[aria-pressed=true]{background:#e8eefb;border-color:#9db3e0}
svg.chart{display:block;width:100%;height:190px;background:#fbfbfc;border:1px solid var(--line);border-radius:6px}
.axis{display:flex;justify-content:space-between;font-size:11.5px;color:var(--muted);margin-top:3px}
.bars{list-style:none;margin:0;padding:0;display:grid;gap:6px}
.bars li{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:2px 8px;font-size:13px}
.bars .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bars .n{font-variant-numeric:tabular-nums;color:var(--muted)}
.bars .track{grid-column:1/-1;height:6px;background:#eef0f3;border-radius:3px;overflow:hidden}
.bars .fill{height:100%;background:var(--block);border-radius:3px;width:0}
.bars.neutral .fill{background:var(--accent)}
.hist{display:flex;align-items:flex-end;gap:3px;height:110px;padding-top:6px}
.hist div{flex:1;background:var(--accent);border-radius:2px 2px 0 0;min-height:1px;position:relative}
.hist div.warm{background:var(--flag)}.hist div.hot{background:var(--block)}
.hist-axis{display:flex;justify-content:space-between;font-size:11.5px;color:var(--muted);margin-top:3px}
.empty{color:var(--muted);font-size:13px}
dl.facts{display:grid;grid-template-columns:auto minmax(0,1fr);gap:4px 12px;margin:0;font-size:13px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;background:#eef0f3;color:var(--ink)}
.pill.ok{background:#e3f3e5;color:#1b5e20}.pill.warning{background:#fff3d6;color:#8a5300}.pill.broken{background:#fde2e2;color:#a31515}.pill.idle{background:#eef0f3}
.pill.critical,.pill.high{background:#fde2e2;color:#a31515}.pill.medium{background:#fff3d6;color:#8a5300}.pill.low{background:#eef0f3}
#incidents{list-style:none;margin:0;padding:0;display:grid;gap:8px;max-height:460px;overflow:auto}
#incidents li{border:1px solid var(--line);border-radius:8px;padding:8px 10px;display:grid;gap:3px;font-size:13px}
#incidents .top{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
#incidents time{color:var(--muted);font-variant-numeric:tabular-nums}
#incidents .times{font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}
#incidents .who{color:var(--muted);overflow-wrap:anywhere}
#incidents pre{margin:0;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere;color:var(--muted)}
#recommendations{margin:0;padding-left:18px;display:grid;gap:6px;font-size:13px}
.note{font-size:12.5px;color:var(--muted);margin:6px 0 0}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
#login{max-width:460px;margin:40px auto;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px}
#login h2{font-size:16px;text-transform:none;letter-spacing:0;color:var(--ink)}
#login label{display:block;font-size:13px;color:var(--muted);margin:10px 0 4px}
#login input{width:100%;font:inherit;padding:8px 10px;border:1px solid #c5cbd3;border-radius:6px}
#login button{margin-top:12px;background:var(--accent);color:#fff;border-color:var(--accent);padding:7px 14px}
#login .error{color:var(--block);font-size:13px;min-height:1.2em;margin:8px 0 0}
[hidden]{display:none!important}
@media (max-width:1100px){.kpis{grid-template-columns:repeat(4,minmax(0,1fr))}.third{grid-column:span 6}}
@media (max-width:720px){main{padding:10px;gap:10px}header{padding:10px 12px}.third,.half{grid-column:1/-1}.kpis{grid-template-columns:repeat(2,minmax(0,1fr));gap:8px}.kpi .value{font-size:20px}svg.chart{height:150px}.range{margin-left:0}#login{margin:24px 12px}}
`;

const SCRIPT = `
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('config').textContent);
  const KEY = 'ai-shield-dashboard-token';
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = String(text); return e; };
  const fmt = (n) => Number(n || 0).toLocaleString('en-US');
  const clear = (node) => { while (node.firstChild) node.removeChild(node.firstChild); return node; };
  let token = sessionStorage.getItem(KEY) || '';
  let timer = 0;
  let range = 300;
  let last = null;

  function showLogin(message) {
    clearTimeout(timer);
    $('board').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('live').className = '';
    $('live').textContent = 'signed out';
    $('token').focus();
  }

  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem(KEY, token);
    $('token').value = '';
    poll();
  });
  $('signout').addEventListener('click', () => { sessionStorage.removeItem(KEY); token = ''; showLogin(''); });
  for (const button of document.querySelectorAll('.range button')) {
    button.addEventListener('click', () => {
      range = Number(button.dataset.range);
      for (const b of document.querySelectorAll('.range button')) b.setAttribute('aria-pressed', String(b === button));
      if (last) drawChart(last);
    });
  }

  async function poll() {
    clearTimeout(timer);
    if (!token) return showLogin('');
    try {
      const res = await fetch('api/summary', { headers: { authorization: 'Bearer ' + token, accept: 'application/json' }, cache: 'no-store' });
      if (res.status === 401 || res.status === 403) {
        sessionStorage.removeItem(KEY); token = '';
        return showLogin(res.status === 401 ? 'That token was not accepted.' : 'This identity may not open the dashboard.');
      }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const data = await res.json();
      last = data;
      $('login').hidden = true;
      $('board').hidden = false;
      render(data);
      $('live').className = 'on';
      $('live').textContent = 'live · ' + new Date(data.now).toLocaleTimeString();
    } catch (error) {
      $('live').className = 'off';
      $('live').textContent = 'no connection · retrying';
    }
    timer = setTimeout(poll, config.refreshMs);
  }

  function setKpi(id, value) { $(id).textContent = value; }

  function bars(list, rows, neutral) {
    clear(list);
    list.classList.toggle('neutral', !!neutral);
    if (rows.length === 0) { list.appendChild(el('li', 'empty', 'Nothing yet')); return; }
    const max = Math.max(...rows.map((r) => r.value), 1);
    for (const row of rows) {
      const li = el('li');
      const name = el('span', 'name', row.name);
      if (row.title) name.title = row.title;
      li.append(name, el('span', 'n', fmt(row.value)));
      const track = el('div', 'track');
      const fill = el('div', 'fill');
      fill.style.width = ((row.value / max) * 100).toFixed(1) + '%';
      track.appendChild(fill);
      li.appendChild(track);
      list.appendChild(li);
    }
  }

  /** Bars coloured by their lower bound: amber from \`warmFrom\`, red from \`hotFrom\`. */
  function histogram(container, axis, counts, bounds, warmFrom, hotFrom) {
    clear(container);
    const max = Math.max(...counts, 1);
    counts.forEach((count, i) => {
      const low = i === 0 ? 0 : bounds[i - 1];
      const bar = el('div', low >= hotFrom ? 'hot' : low >= warmFrom ? 'warm' : '');
      bar.style.height = ((count / max) * 100).toFixed(1) + '%';
      bar.title = (i === 0 ? '0' : bounds[i - 1]) + '–' + bounds[i] + ': ' + fmt(count);
      container.appendChild(bar);
    });
    clear(axis).append(el('span', '', '0'), el('span', '', '0.5'), el('span', '', '1'));
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function drawChart(data) {
    const svg = clear($('chart'));
    const cols = data.perSecond.columns;
    const total = cols.allow.length;
    const seconds = Math.min(range, total);
    const buckets = Math.min(seconds, 150);
    const per = seconds / buckets;
    const from = total - seconds;
    const series = [];
    let max = 0;
    for (let b = 0; b < buckets; b++) {
      const start = from + Math.floor(b * per);
      const end = from + Math.floor((b + 1) * per);
      const sums = [0, 0, 0];
      for (let i = start; i < end; i++) { sums[0] += cols.allow[i]; sums[1] += cols.flag[i]; sums[2] += cols.block[i]; }
      const width = Math.max(1, end - start);
      const rates = sums.map((s) => s / width);
      series.push(rates);
      max = Math.max(max, rates[0] + rates[1] + rates[2]);
    }
    const W = 1000, H = 200;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    const scale = max > 0 ? (H - 8) / max : 0;
    const colors = ['#2e7d32', '#c77700', '#c62828'];
    const bw = W / buckets;
    series.forEach((rates, b) => {
      let y = H;
      rates.forEach((rate, k) => {
        if (rate <= 0) return;
        const h = rate * scale;
        y -= h;
        const rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('x', (b * bw + 0.5).toFixed(2));
        rect.setAttribute('y', y.toFixed(2));
        rect.setAttribute('width', Math.max(0.5, bw - 1).toFixed(2));
        rect.setAttribute('height', h.toFixed(2));
        rect.setAttribute('fill', colors[k]);
        svg.appendChild(rect);
      });
    });
    $('chart-max').textContent = 'peak ' + (max >= 10 ? Math.round(max) : max.toFixed(2)) + ' req/s';
    $('chart-from').textContent = seconds >= 3600 ? '−60 min' : '−' + Math.round(seconds / 60) + ' min';
  }

  function render(data) {
    $('model').textContent = data.model + ' · ' + data.mode + ' mode · since ' + new Date(data.startedAt).toLocaleString();
    const t = data.totals;
    setKpi('kpi-total', fmt(t.allow + t.flag + t.block));
    setKpi('kpi-allow', fmt(t.allow));
    setKpi('kpi-flag', fmt(t.flag));
    setKpi('kpi-block', fmt(t.block));
    setKpi('kpi-rate-limited', fmt(t.rateLimited));
    const masked = data.responses.pii.reduce((sum, p) => sum + p.masked + p.redacted, 0);
    setKpi('kpi-pii', fmt(masked));
    setKpi('kpi-withheld', fmt(data.responses.withheld));
    setKpi('kpi-audit', data.audit.enabled ? data.audit.state : 'off');
    $('kpi-audit').className = 'value pill ' + data.audit.state;
    $('monitor-note').hidden = data.mode !== 'monitor';
    drawChart(data);

    bars($('by-reason'), data.blocks.byCode.map((b) => ({ name: b.code, title: b.title + ' (' + b.stage + ')', value: b.count })));
    bars($('by-stage'), Object.entries(data.blocks.byStage).filter(([, n]) => n > 0).map(([name, value]) => ({ name, value })));
    histogram($('risk'), $('risk-axis'), data.risk.counts, data.risk.bounds, data.thresholds.flag, data.thresholds.block);
    $('risk-note').textContent = fmt(data.risk.count) + ' requests scored · mean ' + (data.risk.count ? (data.risk.sum / data.risk.count).toFixed(3) : '—');
    bars($('top-clients'), data.topClients.map((c) => ({ name: c.key, value: c.count, title: c.error ? 'may overcount by ' + c.error : '' })));
    bars($('top-identities'), data.topIdentities.map((c) => ({ name: c.key, value: c.count, title: c.error ? 'may overcount by ' + c.error : '' })));

    histogram($('budget'), $('budget-axis'), data.rate.budgetUsed.counts, data.rate.budgetUsed.bounds, 0.7, 0.9);
    const storeErrors = Object.values(data.rate.storeErrors).reduce((a, b) => a + b, 0);
    factList($('rate-facts'), [
      ['rate limited (429)', fmt(data.rate.limited)],
      ['locked out', fmt(data.rate.lockouts)],
      ['store errors', fmt(storeErrors) + (storeErrors ? ' (' + Object.entries(data.rate.storeErrors).map(([k, v]) => k + ' ' + v).join(', ') + ')' : '')],
    ]);

    factList($('response-facts'), [
      ['responses checked', fmt(data.responses.checked)],
      ['flagged', fmt(data.responses.flagged)],
      ['withheld (502)', fmt(data.responses.withheld)],
      ['rewritten (masked)', fmt(data.responses.modified)],
    ]);
    bars($('pii'), data.responses.pii.map((p) => ({ name: p.type, value: p.masked + p.redacted + p.blocked + p.flagged, title: 'masked ' + p.masked + ', redacted ' + p.redacted + ', blocked ' + p.blocked + ', flagged ' + p.flagged })), true);

    const a = data.audit;
    const rows = [['status', a.enabled ? a.state : 'auditing off']];
    if (a.stats) rows.push(['entries written', fmt(a.stats.appended)], ['queued', fmt(a.stats.queued)], ['dropped', fmt(a.stats.dropped)], ['write failures', fmt(a.stats.writeFailures)]);
    rows.push(['chain head', a.head ? 'seq ' + a.head.seq + ' · ' + a.head.hash.slice(0, 16) + '…' : '—']);
    rows.push(['last checkpoint', a.lastCheckpoint ? 'seq ' + a.lastCheckpoint.seq + ' · ' + a.lastCheckpoint.alg + ' · ' + (a.lastCheckpoint.verified ? 'verified' : 'not verified here') + ' · ' + new Date(a.lastCheckpoint.ts).toLocaleTimeString() : 'none yet']);
    if (a.resumedFrom !== undefined) rows.push(['resumed from', 'seq ' + a.resumedFrom]);
    rows.push(['break', a.break ? a.break.message : 'none']);
    factList($('audit-facts'), rows);
    const notes = clear($('audit-notes'));
    for (const n of a.notes) notes.appendChild(el('li', '', n));

    const list = clear($('incidents'));
    if (data.incidents.length === 0) list.appendChild(el('li', 'empty', 'No incidents yet'));
    for (const incident of data.incidents) {
      const li = el('li');
      li.dataset.type = incident.type;
      const top = el('div', 'top');
      const time = el('time', '', new Date(incident.ts).toLocaleTimeString());
      time.dateTime = new Date(incident.ts).toISOString();
      top.append(time, el('span', 'pill ' + incident.severity, incident.severity), el('strong', '', incident.type));
      if (incident.code) top.appendChild(el('span', 'mono', incident.code));
      if (incident.count > 1) top.appendChild(el('span', 'times', '×' + fmt(incident.count) + ' since ' + new Date(incident.firstTs).toLocaleTimeString()));
      li.appendChild(top);
      const who = [incident.clientIp && 'client ' + incident.clientIp, incident.identity && 'identity ' + incident.identity, incident.route && 'route ' + incident.route].filter(Boolean).join(' · ');
      if (who) li.appendChild(el('div', 'who', who));
      if (incident.kinds && incident.kinds.length) li.appendChild(el('div', 'mono', incident.kinds.join(', ')));
      if (incident.details) li.appendChild(el('pre', '', JSON.stringify(incident.details, null, 1)));
      list.appendChild(li);
    }
    const recs = clear($('recommendations'));
    if (data.summary) {
      for (const r of data.summary.recommendations) recs.appendChild(el('li', '', r));
      $('summary-note').textContent = fmt(data.summary.total) + ' incidents in the last ' + data.summary.hours + ' h';
      bars($('by-type'), Object.entries(data.summary.byType).sort((x, y) => y[1] - x[1]).map(([name, value]) => ({ name, value })), true);
    } else {
      recs.appendChild(el('li', 'empty', data.summaryError || 'Summary unavailable'));
    }
  }

  function factList(dl, rows) {
    clear(dl);
    for (const [k, v] of rows) dl.append(el('dt', '', k), el('dd', '', v));
  }

  poll();
})();
`;

/** The page's `<body>`; `config` is the only server-provided value (JSON, escaped for a script block). */
const BODY = `
<header>
  <h1>AI Shield</h1>
  <span class="meta" id="model"></span>
  <span class="spacer"></span>
  <span id="live" data-testid="status">starting</span>
  <button type="button" id="signout">Sign out</button>
</header>
<section id="login" hidden data-testid="login">
  <h2>Open the dashboard</h2>
  <p class="note">Paste the dashboard token, or the bearer token of an identity with the dashboard role. It is kept in this tab only.</p>
  <form id="login-form">
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Open</button>
  </form>
  <p class="error" id="login-error" role="alert"></p>
</section>
<main id="board" hidden>
  <div class="kpis">
    <div class="kpi"><div class="label">Requests checked</div><div class="value" id="kpi-total" data-testid="kpi-total">0</div></div>
    <div class="kpi allow"><div class="label">Allowed</div><div class="value" id="kpi-allow" data-testid="kpi-allow">0</div></div>
    <div class="kpi flag"><div class="label">Flagged</div><div class="value" id="kpi-flag" data-testid="kpi-flag">0</div></div>
    <div class="kpi block"><div class="label">Blocked</div><div class="value" id="kpi-block" data-testid="kpi-block">0</div></div>
    <div class="kpi"><div class="label">Rate limited</div><div class="value" id="kpi-rate-limited" data-testid="kpi-rate-limited">0</div></div>
    <div class="kpi"><div class="label">PII masked</div><div class="value" id="kpi-pii" data-testid="kpi-pii">0</div></div>
    <div class="kpi"><div class="label">Responses withheld</div><div class="value" id="kpi-withheld" data-testid="kpi-withheld">0</div></div>
    <div class="kpi"><div class="label">Audit chain</div><div class="value pill idle" id="kpi-audit" data-testid="kpi-audit">—</div></div>
  </div>
  <section class="wide">
    <div class="chart-head">
      <h2>Decisions per second</h2>
      <div class="legend"><span class="a">allowed</span><span class="f">flagged</span><span class="b">blocked</span></div>
      <div class="range"><button type="button" data-range="300" aria-pressed="true">5 min</button><button type="button" data-range="3600" aria-pressed="false">1 hour</button></div>
    </div>
    <svg class="chart" id="chart" role="img" aria-label="Decisions per second"></svg>
    <div class="axis"><span id="chart-from">−5 min</span><span id="chart-max"></span><span>now</span></div>
    <p class="note" id="monitor-note" hidden>Monitor mode: blocked means "would have been blocked"; nothing was refused.</p>
  </section>
  <section class="third"><h2>Blocks by reason</h2><ul class="bars" id="by-reason" data-testid="by-reason"></ul></section>
  <section class="third"><h2>Blocks by stage</h2><ul class="bars" id="by-stage"></ul></section>
  <section class="third"><h2>Risk score</h2><div class="hist" id="risk"></div><div class="hist-axis" id="risk-axis"></div><p class="note" id="risk-note"></p></section>
  <section class="third"><h2>Top clients (blocked)</h2><ul class="bars" id="top-clients" data-testid="top-clients"></ul></section>
  <section class="third"><h2>Top identities (blocked)</h2><ul class="bars" id="top-identities"></ul></section>
  <section class="third"><h2>Rate-limit pressure</h2><div class="hist" id="budget"></div><div class="hist-axis" id="budget-axis"></div><p class="note">Share of the client's budget used, per request</p><dl class="facts" id="rate-facts"></dl></section>
  <section class="half"><h2>Responses</h2><dl class="facts" id="response-facts"></dl><h2>PII in responses, by type</h2><ul class="bars" id="pii"></ul></section>
  <section class="half"><h2>Audit chain</h2><dl class="facts" id="audit-facts" data-testid="audit"></dl><ul class="note" id="audit-notes"></ul><p class="note">Links and checkpoints of the entries this process writes; run <span class="mono">ai-shield audit verify</span> for the files at rest.</p></section>
  <section class="half"><h2>Recent incidents</h2><ul id="incidents" data-testid="incidents"></ul></section>
  <section class="half"><h2>Recommendations</h2><p class="note" id="summary-note"></p><ol id="recommendations" data-testid="recommendations"></ol><h2>Incidents by type</h2><ul class="bars" id="by-type"></ul></section>
</main>
`;

const toBase64 = (bytes: Uint8Array) => {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
};
const hashOf = (text: string) => `'sha256-${toBase64(sha256(new TextEncoder().encode(text)))}'`;

/** JSON inside `<script type="application/json">`: `<` escaped so no value can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export interface DashboardPage {
  html: string;
  /** Content-Security-Policy allowing exactly this page's inline style and script, and same-origin fetches. */
  csp: string;
}

/** Builds the page once per handler. */
export function renderDashboardPage(config: { title: string; refreshMs: number }): DashboardPage {
  const title = config.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY.replace('<h1>AI Shield</h1>', `<h1>${title}</h1>`)}
<script type="application/json" id="config">${scriptJson({ refreshMs: config.refreshMs })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${hashOf(SCRIPT)}`,
    `style-src ${hashOf(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

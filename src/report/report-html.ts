import { formatIdentityGate } from '../identity/identity-gate.js';
import { bundledScript, escapeHtml as h, jsonScript } from './bundled-script.js';
import { PAGE_STYLE } from './page-style.js';
import type { ReportData } from './report-data.js';

const n = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toLocaleString('en-US'));

/** A table; each cell may carry a `data-k` key so tests and scripts can find the number behind it. */
function table(head: readonly string[], rows: readonly (readonly (string | { readonly k: string; readonly v: number | string | null })[])[], id: string): string {
  const cell = (c: string | { readonly k: string; readonly v: number | string | null }) =>
    typeof c === 'string' ? `<td>${h(c)}</td>` : `<td class="num" data-k="${h(c.k)}">${h(typeof c.v === 'number' || c.v === null ? n(c.v) : c.v)}</td>`;
  if (rows.length === 0) return `<p class="none" id="${id}">none</p>`;
  return `<table id="${id}"><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`;
}

const chart = (id: string, title: string) => `<figure><figcaption>${h(title)}</figcaption><div class="chart"><canvas id="${id}" role="img" aria-label="${h(title)}"></canvas></div></figure>`;
const kpi = (k: string, label: string, v: number) => `<div class="kpi"><span class="v" data-k="${h(k)}">${n(v)}</span><span class="l">${h(label)}</span></div>`;

function identityHtml(data: ReportData): string {
  const i = data.identity;
  if (!i) return '<section id="identity"><h2>Identity</h2><p class="none">This run did not build identity.</p></section>';
  const gate = i.gate;
  const gateHtml = !gate
    ? '<p class="none">no gate recorded for this build</p>'
    : `<p id="identity-gate" class="gate ${h(gate.status)}" data-status="${h(gate.status)}">${h(formatIdentityGate(gate)[0])}</p>${table(
        ['check', 'value', 'threshold', 'exceeded', 'detail'],
        gate.checks.map((c) => [c.check, { k: `identity.gate.${c.check}`, v: c.value }, { k: `identity.gate.${c.check}.limit`, v: c.limit }, c.exceeded ? 'yes' : 'no', c.detail]),
        'gate-checks',
      )}`;
  return `<section id="identity"><h2>Identity</h2>
<div class="kpis">${kpi('identity.profiles', 'profiles', i.profiles)}${kpi('identity.identifiers', 'identifiers', i.identifiers)}${kpi('identity.links', 'links', i.links)}${kpi('identity.changes.new', 'new', i.changes.new)}${kpi('identity.changes.merge', 'merged', i.changes.merge)}${kpi('identity.changes.split', 'split', i.changes.split)}${kpi('identity.changes.retire', 'retired', i.changes.retire)}</div>
<h3>Quality gate</h3>${gateHtml}
<div class="grid">${chart('chart-histogram', 'Profiles by number of identifiers')}${chart('chart-identity-trend', 'Profiles, merges and splits over recent runs')}</div>
<div class="grid"><div><h3>Largest profiles</h3>${table(['profile', 'identifiers'], i.largest.map((p, x) => [p.profileId, { k: `identity.largest.${x}`, v: p.identifiers }]), 'largest')}</div>
<div><h3>What the guards dropped</h3>${table(
    ['guard', 'dropped'],
    [
      ['blocklist (values)', { k: 'identity.guards.blocklist', v: i.guards.blocklist }],
      ['hubs (values)', { k: 'identity.guards.hubs', v: i.guards.hubs }],
      ['per-type limits (links)', { k: 'identity.guards.limits', v: i.guards.limits }],
      ['link windows (links)', { k: 'identity.guards.windows', v: i.guards.windows }],
    ],
    'guards',
  )}</div></div></section>`;
}

function segmentsHtml(data: ReportData): string {
  const last = data.segments.trend.at(-1);
  const current = last?.runId === data.run.runId ? last : undefined;
  const rows = current
    ? data.segments.names.map((s) => [s, { k: `segments.${s}.size`, v: current.sizes[s] ?? 0 }, { k: `segments.${s}.entered`, v: current.entered[s] ?? 0 }, { k: `segments.${s}.exited`, v: current.exited[s] ?? 0 }])
    : [];
  return `<section id="segments"><h2>Segments</h2>${current ? '' : '<p class="none">This run did not build segments; the charts show recent builds.</p>'}
${table(['segment', 'size', 'entered', 'exited'], rows, 'segment-table')}
<div class="grid">${chart('chart-segment-sizes', 'Segment sizes over recent runs')}${chart('chart-segment-moves', 'Entries and exits over recent runs')}</div></section>`;
}

function syncsHtml(data: ReportData): string {
  const s = data.syncs;
  const driftKinds = [...new Set(s.perSync.flatMap((x) => Object.keys(x.drift)))];
  const drift =
    driftKinds.length === 0
      ? '<p class="none" id="drift">no drift events recorded in this run</p>'
      : table(['sync', ...driftKinds], s.perSync.map((x) => [x.sync, ...driftKinds.map((k) => ({ k: `syncs.${x.sync}.drift.${k}`, v: x.drift[k] ?? 0 }))]), 'drift');
  return `<section id="syncs"><h2>Syncs</h2>
${table(
  ['sync', 'created', 'updated', 'removed', 'memberships +', 'memberships −', 'rejected', 'requests'],
  s.perSync.map((x) => [
    x.sync,
    { k: `syncs.${x.sync}.created`, v: x.created },
    { k: `syncs.${x.sync}.updated`, v: x.updated },
    { k: `syncs.${x.sync}.removed`, v: x.removed },
    { k: `syncs.${x.sync}.membershipsAdded`, v: x.membershipsAdded },
    { k: `syncs.${x.sync}.membershipsRemoved`, v: x.membershipsRemoved },
    { k: `syncs.${x.sync}.rejected`, v: x.rejected },
    { k: `syncs.${x.sync}.requests`, v: x.requests },
  ]),
  'sync-table',
)}
${s.perSync.length > 0 ? chart('chart-syncs', 'What each sync sent') : ''}
<h3>Rejections</h3>${table(['sync', 'code', 'records', 'example message'], s.rejections.map((r) => [r.sync, r.code, { k: `rejections.${r.sync}.${r.code}`, v: r.records }, r.example]), 'rejections')}
<h3>Drift</h3>${drift}
<h3>Gates hit</h3>${
    s.gates.length === 0
      ? '<p class="none" id="gates">no gate held or stopped a sync in this run</p>'
      : `<ul id="gates">${s.gates.map((g) => `<li><b>${h(g.gate)}</b>: ${h(g.detail)}${g.checks.map((c) => `<br>${h(`${c.check}: ${c.value} > ${c.limit} — ${c.detail}`)}`).join('')}</li>`).join('')}</ul>`
  }</section>`;
}

/** The self-contained HTML of `cdp report`: data, Chart.js and the drawing script inline; nothing is fetched. */
export async function reportHtml(data: ReportData): Promise<string> {
  const r = data.run;
  const stages = table(
    ['stage', 'seconds', 'rows read', 'rows written', 'bytes billed'],
    r.stages.map((s) => [s.stage, { k: `run.stages.${s.stage}.seconds`, v: s.seconds }, { k: `run.stages.${s.stage}.rowsRead`, v: s.rowsRead }, { k: `run.stages.${s.stage}.rowsWritten`, v: s.rowsWritten }, { k: `run.stages.${s.stage}.bytesBilled`, v: s.bytesBilled }]),
    'stages',
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cdp report · ${h(data.project)} · ${h(r.runId)}</title><style>${PAGE_STYLE}</style></head>
<body>
<header><h1>cdp report <span class="muted">${h(data.project)}</span></h1>
<p>run <code id="run-id">${h(r.runId)}</code> · <b>${h(r.command)}</b> · <span class="status ${h(r.status)}" id="run-status">${h(r.status)}</span> · started ${h(r.startedAt)}${r.seconds !== null ? ` · took ${h(r.seconds)}s` : ''}${r.error ? `<br><span class="error">${h(r.error)}</span>` : ''}</p>
<p class="muted">The data behind every chart is in <a href="report.json">report.json</a> beside this file.</p></header>
<section id="run"><h2>Run</h2><div class="grid"><div>${stages}</div>${r.stages.length > 0 ? chart('chart-stages', 'Seconds per stage') : ''}</div></section>
${identityHtml(data)}
${segmentsHtml(data)}
${syncsHtml(data)}
<script id="report-data" type="application/json">${jsonScript(data)}</script>
<script>${await bundledScript('chartjs')}</script>
<script>${DRAW}</script>
</body></html>
`;
}

/** Runs in the browser: one Chart.js chart per canvas, from the JSON above. */
const DRAW = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var palette = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  var drawn = 0;
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    new Chart(canvas, config);
    drawn++;
  }
  function short(run) { return run.startedAt.slice(5, 19).replace('T', ' '); }
  var stages = data.run.stages;
  draw('chart-stages', { type: 'bar', data: { labels: stages.map(function (s) { return s.stage; }), datasets: [{ label: 'seconds', data: stages.map(function (s) { return s.seconds; }), backgroundColor: palette[0] }] }, options: { indexAxis: 'y' } });
  if (data.identity) {
    draw('chart-histogram', { type: 'bar', data: { labels: data.identity.histogram.map(function (b) { return b.label; }), datasets: [{ label: 'profiles', data: data.identity.histogram.map(function (b) { return b.profiles; }), backgroundColor: palette[0] }] }});
  }
  var trend = data.identityTrend;
  draw('chart-identity-trend', { type: 'line', data: { labels: trend.map(short), datasets: [
    { label: 'profiles', data: trend.map(function (t) { return t.profiles; }), borderColor: palette[0], yAxisID: 'y' },
    { label: 'merged', data: trend.map(function (t) { return t.merged; }), borderColor: palette[2], yAxisID: 'y1' },
    { label: 'split', data: trend.map(function (t) { return t.split; }), borderColor: palette[3], yAxisID: 'y1' }
  ] }, options: { scales: { y: { position: 'left' }, y1: { position: 'right', grid: { drawOnChartArea: false } } } } });
  var seg = data.segments;
  draw('chart-segment-sizes', { type: 'line', data: { labels: seg.trend.map(short), datasets: seg.names.map(function (name, i) { return { label: name, data: seg.trend.map(function (t) { return t.sizes[name] || 0; }), borderColor: palette[i % palette.length] }; }) } });
  draw('chart-segment-moves', { type: 'bar', data: { labels: seg.trend.map(short), datasets: [
    { label: 'entered', data: seg.trend.map(function (t) { return Object.values(t.entered).reduce(function (a, b) { return a + b; }, 0); }), backgroundColor: palette[1] },
    { label: 'exited', data: seg.trend.map(function (t) { return -Object.values(t.exited).reduce(function (a, b) { return a + b; }, 0); }), backgroundColor: palette[2] }
  ] }, options: { scales: { x: { stacked: true }, y: { stacked: true } } } });
  var syncs = data.syncs.perSync;
  var kinds = [['created', 'created'], ['updated', 'updated'], ['removed', 'removed'], ['membershipsAdded', 'memberships +'], ['membershipsRemoved', 'memberships −'], ['rejected', 'rejected']];
  draw('chart-syncs', { type: 'bar', data: { labels: syncs.map(function (s) { return s.sync; }), datasets: kinds.map(function (k, i) { return { label: k[1], data: syncs.map(function (s) { return s[k[0]]; }), backgroundColor: palette[i] }; }) } });
  document.body.setAttribute('data-charts', String(drawn));
})();
`;

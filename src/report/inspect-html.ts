import type { IdentityInspection, IdentifierRef } from '../identity/inspect-identity.js';
import type { ProfileView } from '../profile/inspect-profile.js';
import type { ProfileSyncState } from '../sync/profile-sync-state.js';
import { bundledScript, escapeHtml as h, jsonScript } from './bundled-script.js';
import { PAGE_STYLE } from './page-style.js';

/** What `cdp inspect --html` draws (also embedded in the page as JSON). */
export interface PersonPage {
  readonly project: string;
  readonly identity: Extract<IdentityInspection, { found: true }>;
  readonly profile: ProfileView | null;
  readonly destinations: readonly ProfileSyncState[];
}

export interface GraphNode {
  readonly id: string;
  readonly idType: string;
  readonly idValue: string;
  /** `member`: an identifier of the profile; `dropped`: a value a guard kept out (blocklist, hub, or the far end of a dropped link). */
  readonly kind: 'member' | 'dropped';
  readonly query: boolean;
}

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** `link`: joined the profile; otherwise the guard that dropped it. */
  readonly kind: 'link' | 'blocklist' | 'hub' | 'window' | 'limit';
  readonly label: string;
  readonly evidence: readonly string[];
}

const ref = (r: IdentifierRef) => `${r.idType}:${r.idValue}`;
const text = (v: unknown) => (v === null || v === undefined ? '–' : String(v));

/** The person's identity graph as nodes (identifiers) and edges (links with their evidence, and the links guards dropped). */
export function personGraph(page: PersonPage): { readonly nodes: readonly GraphNode[]; readonly edges: readonly GraphEdge[] } {
  const nodes = new Map<string, GraphNode>();
  for (const id of page.identity.identifiers) {
    nodes.set(ref(id), { id: ref(id), idType: id.idType, idValue: id.idValue, kind: 'member', query: ref(id) === ref(page.identity.query) });
  }
  const edges: GraphEdge[] = page.identity.links.map((l, i) => ({
    id: `link${i}`,
    source: ref(l.from),
    target: ref(l.to),
    kind: 'link',
    label: l.evidence.map((e) => `${e.source} ×${e.rows}`).join(', '),
    evidence: l.evidence.map((e) => `${e.source}: ${e.rows} row${e.rows === 1 ? '' : 's'}, ${text(e.firstSeen)} – ${text(e.lastSeen)}${e.example !== null ? `, e.g. ${text(e.example)}` : ''}`),
  }));
  const dropped = page.identity.dropped;
  for (const [i, drop] of dropped.entries()) {
    for (const r of [drop.identifier, ...(drop.other ? [drop.other] : [])]) {
      if (!nodes.has(ref(r))) nodes.set(ref(r), { id: ref(r), idType: r.idType, idValue: r.idValue, kind: 'dropped', query: false });
    }
    if (drop.other) {
      edges.push({
        id: `drop${i}`,
        source: ref(drop.identifier),
        target: ref(drop.other),
        kind: drop.reason,
        label: `dropped: ${drop.reason}`,
        evidence: [`${drop.reason}: ${drop.detail}${drop.source ? ` (${drop.source}, ${drop.rows} rows, last ${text(drop.lastSeen)})` : ''}`],
      });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

function rows(cells: readonly (readonly string[])[], head: readonly string[], id: string): string {
  if (cells.length === 0) return `<p class="none" id="${id}">none</p>`;
  return `<table id="${id}"><thead><tr>${head.map((x) => `<th>${h(x)}</th>`).join('')}</tr></thead><tbody>${cells.map((r) => `<tr>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A self-contained page: the graph (Cytoscape.js inline) with traits, segments and destination state beside it. */
export async function inspectHtml(page: PersonPage): Promise<string> {
  const graph = personGraph(page);
  const i = page.identity;
  const p = page.profile;
  const traits = p ? Object.entries(p.traits).map(([k, v]) => [k, text(v)]) : [];
  const segments = p ? p.segments.map((s) => [s.segment, s.member ? 'in' : 'out', s.member ? text(s.enteredAt) : '', s.where, Object.entries(s.inputs).map(([k, v]) => `${k} = ${text(v)}`).join(', ')]) : [];
  const destinations = page.destinations.map((d) => [
    d.sync,
    `${d.destination} ${d.object}`,
    d.record ? text(d.record.destinationId) : 'not synced',
    d.record ? text(d.record.syncedAt) : '',
    d.record ? Object.entries(d.record.fields).map(([k, v]) => `${k} = ${text(v)}`).join(', ') : '',
    d.record ? Object.entries(d.record.segments).filter(([, v]) => v).map(([k]) => k).join(', ') : '',
    d.rejections.map((r) => `${r.code}: ${r.message}`).join('; '),
  ]);
  const data = { ...page, graph };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cdp inspect · ${h(ref(i.query))}</title><style>${PAGE_STYLE}
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 16px; }
#graph { height: 560px; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; }
#details { min-height: 48px; font-size: 13px; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; margin-top: 8px; white-space: pre-wrap; }
.legend span { display: inline-block; margin-right: 12px; font-size: 12px; }
</style></head>
<body>
<header><h1>cdp inspect <span class="muted">${h(ref(i.query))}</span></h1>
<p>profile <code id="profile-id">${h(i.profileId)}</code> · <span data-k="identifiers">${i.identifiers.length}</span> identifiers${i.truncated ? ' (truncated)' : ''} · ${i.links.length} links${i.aliases.length > 0 ? ` · absorbed ${h(i.aliases.join(', '))}` : ''}</p></header>
<div class="layout"><div>
<div id="graph" role="img" aria-label="identity graph"></div>
<p class="legend"><span>● identifier of the profile</span><span style="color:#9ca3af">● kept out by a guard</span><span>— link (click for its rows)</span><span style="color:#dc2626">- - link a guard dropped</span></p>
<div id="details">Click an identifier or a link to see its evidence.</div>
<h3>Identifiers</h3>${rows(i.identifiers.map((x) => [x.idType, x.idValue, text(x.firstSeen), text(x.lastSeen)]), ['type', 'value', 'first seen', 'last seen'], 'identifiers')}
<h3>Kept apart by guards</h3>${rows(i.dropped.map((x) => [x.reason, ref(x.identifier), x.other ? ref(x.other) : '', x.detail]), ['guard', 'identifier', 'other end', 'why'], 'dropped')}
</div><div>
<h3>Traits</h3>${rows(traits, ['trait', 'value'], 'traits')}
<h3>Segments</h3>${rows(segments, ['segment', '', 'since', 'where', 'values that decided it'], 'segments')}
<h3>Destinations</h3>${rows(destinations, ['sync', 'object', 'record id', 'confirmed at', 'fields', 'memberships', 'last rejections'], 'destinations')}
</div></div>
<script id="person-data" type="application/json">${jsonScript(data)}</script>
<script>${await bundledScript('cytoscape')}</script>
<script>${DRAW}</script>
</body></html>
`;
}

const DRAW = `
(function () {
  var data = JSON.parse(document.getElementById('person-data').textContent);
  var colors = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  var types = [];
  data.graph.nodes.forEach(function (n) { if (types.indexOf(n.idType) < 0) types.push(n.idType); });
  var elements = data.graph.nodes.map(function (n) {
    return { data: { id: n.id, label: n.idType + ':' + n.idValue, kind: n.kind, query: n.query ? 'yes' : 'no', color: n.kind === 'member' ? colors[types.indexOf(n.idType) % colors.length] : '#9ca3af' } };
  }).concat(data.graph.edges.map(function (e) {
    return { data: { id: e.id, source: e.source, target: e.target, kind: e.kind, label: e.label, evidence: e.evidence.join('\\n') } };
  }));
  var cy = cytoscape({
    container: document.getElementById('graph'),
    elements: elements,
    layout: data.graph.nodes.length > 60 ? { name: 'grid' } : { name: 'cose', animate: false, randomize: false, idealEdgeLength: function () { return 110; }, nodeRepulsion: function () { return 80000; }, padding: 40 },
    style: [
      { selector: 'node', style: { 'background-color': 'data(color)', label: 'data(label)', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 3, width: 14, height: 14 } },
      { selector: 'node[query = "yes"]', style: { 'border-width': 3, 'border-color': '#111827', width: 20, height: 20 } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#94a3b8', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 7, color: '#64748b' } },
      { selector: 'edge[kind != "link"]', style: { 'line-style': 'dashed', 'line-color': '#dc2626', color: '#dc2626' } },
      { selector: ':selected', style: { 'overlay-opacity': 0.2 } }
    ]
  });
  var details = document.getElementById('details');
  cy.on('tap', 'edge', function (evt) { details.textContent = evt.target.data('source') + ' — ' + evt.target.data('target') + '\\n' + evt.target.data('evidence'); });
  cy.on('tap', 'node', function (evt) {
    var n = data.graph.nodes.filter(function (x) { return x.id === evt.target.id(); })[0];
    var id = data.identity.identifiers.filter(function (x) { return x.idType + ':' + x.idValue === evt.target.id(); })[0];
    details.textContent = evt.target.id() + (n && n.kind === 'dropped' ? ' (kept out by a guard)' : '') + (id ? '\\nfirst seen ' + id.firstSeen + ', last seen ' + id.lastSeen : '');
  });
  window.cdpGraph = cy;
  document.body.setAttribute('data-graph-nodes', String(cy.nodes().length));
})();
`;

import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import type { ReportData } from '../../src/report/report-data.js';
import { startSandboxes, type Sandboxes } from '../../src/cli/start-sandboxes.js';
import { browserAvailable, launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { cdp, removeProject, writeProject } from '../helpers/project.js';

// Page functions run in Chromium; these are the few browser globals they touch.
declare const window: unknown;
declare const document: {
  getElementById(id: string): unknown;
  querySelectorAll(selector: string): { readonly length: number };
  readonly body: { getAttribute(name: string): string | null };
};

const repo = join(import.meta.dirname, '..', '..');

/** The sample project of the repository (its YAML), with a small generated data set, built and synced twice. */
async function sampleProject(): Promise<{ dir: string; sandboxes: Sandboxes }> {
  const dir = await writeProject({});
  await cp(join(repo, 'cdp.config.yaml'), join(dir, 'cdp.config.yaml'));
  await cp(join(repo, 'models'), join(dir, 'models'), { recursive: true });
  await cp(join(repo, 'connectors'), join(dir, 'connectors'), { recursive: true });
  const generated = await cdp(dir, ['generate', '--people', '300', '--seed', '16', '--as-of', '2026-12-01T00:00:00Z']);
  expect(generated.code, generated.stderr).toBe(0);
  const { project } = await loadProject(dir, {});
  const sandboxes = await startSandboxes(project, dir, { requestsPer10s: 0 });
  // A week later windows have moved, so the second run updates records and memberships too.
  for (const asOf of ['2026-12-01T00:00:00Z', '2026-12-08T00:00:00Z']) {
    const run = await cdp(dir, ['run', '--as-of', asOf], sandboxes.env);
    expect([0, 3], run.stderr).toContain(run.code);
  }
  return { dir, sandboxes };
}

/** The number a `data-k` cell should show, from report.json. */
function expectedNumbers(data: ReportData): Map<string, number | null> {
  const m = new Map<string, number | null>();
  for (const s of data.run.stages) {
    m.set(`run.stages.${s.stage}.seconds`, s.seconds);
    m.set(`run.stages.${s.stage}.rowsRead`, s.rowsRead);
    m.set(`run.stages.${s.stage}.rowsWritten`, s.rowsWritten);
    m.set(`run.stages.${s.stage}.bytesBilled`, s.bytesBilled);
  }
  const i = data.identity;
  if (i) {
    for (const k of ['profiles', 'identifiers', 'links'] as const) m.set(`identity.${k}`, i[k]);
    for (const [k, v] of Object.entries(i.changes)) m.set(`identity.changes.${k}`, v);
    for (const [k, v] of Object.entries(i.guards)) m.set(`identity.guards.${k}`, v);
    i.largest.forEach((p, x) => m.set(`identity.largest.${x}`, p.identifiers));
    for (const c of i.gate?.checks ?? []) {
      m.set(`identity.gate.${c.check}`, c.value);
      m.set(`identity.gate.${c.check}.limit`, c.limit);
    }
  }
  const last = data.segments.trend.at(-1);
  for (const s of data.segments.names) {
    m.set(`segments.${s}.size`, last?.sizes[s] ?? 0);
    m.set(`segments.${s}.entered`, last?.entered[s] ?? 0);
    m.set(`segments.${s}.exited`, last?.exited[s] ?? 0);
  }
  for (const s of data.syncs.perSync) {
    for (const k of ['created', 'updated', 'removed', 'membershipsAdded', 'membershipsRemoved', 'rejected', 'requests'] as const) m.set(`syncs.${s.sync}.${k}`, s[k]);
    for (const [k, v] of Object.entries(s.drift)) m.set(`syncs.${s.sync}.drift.${k}`, v);
  }
  for (const r of data.syncs.rejections) m.set(`rejections.${r.sync}.${r.code}`, r.records);
  return m;
}

const shown = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));

describe.runIf(browserAvailable())('cdp report and cdp inspect --html in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let sandboxes: Sandboxes;
  beforeAll(async () => {
    ({ dir, sandboxes } = await sampleProject());
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sandboxes?.close();
    if (dir) await removeProject(dir);
  });

  it('renders the run report from disk with no network: charts drawn from its data, numbers equal to report.json, no console errors', async () => {
    const made = await cdp(dir, ['report', '--out', 'out']);
    expect(made.code, made.stderr).toBe(0);
    const data = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as ReportData;
    expect(data.run.command).toBe('run');
    expect(data.identity?.profiles).toBeGreaterThan(100);
    expect(data.identityTrend).toHaveLength(2);
    expect(data.syncs.perSync.reduce((n, s) => n + s.updated + s.membershipsAdded + s.membershipsRemoved, 0)).toBeGreaterThan(0);

    const { page, log } = await openPage(browser, pathToFileURL(join(dir, 'out', 'report.html')).href);
    try {
      await screenshot(page, 'report');
      expect(log.errors).toEqual([]);
      expect(log.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

      // Every chart is a Chart.js chart whose data is the run's JSON.
      const charts = await page.evaluate(() => {
        const get = (id: string) => {
          const c = (window as { Chart: { getChart(el: unknown): { data: { labels: unknown[]; datasets: { label: string; data: unknown[] }[] } } | undefined } }).Chart.getChart(document.getElementById(id));
          return c ? { labels: c.data.labels, datasets: c.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : null;
        };
        return {
          drawn: Number(document.body.getAttribute('data-charts')),
          canvases: document.querySelectorAll('canvas').length,
          stages: get('chart-stages'),
          histogram: get('chart-histogram'),
          trend: get('chart-identity-trend'),
          sizes: get('chart-segment-sizes'),
          syncs: get('chart-syncs'),
        };
      });
      expect(charts.canvases).toBe(6);
      expect(charts.drawn).toBe(6);
      expect(charts.stages?.labels).toEqual(data.run.stages.map((s) => s.stage));
      expect(charts.stages?.datasets[0].data).toEqual(data.run.stages.map((s) => s.seconds));
      expect(charts.histogram?.labels).toEqual(data.identity?.histogram.map((b) => b.label));
      expect(charts.histogram?.datasets[0].data).toEqual(data.identity?.histogram.map((b) => b.profiles));
      expect(charts.trend?.datasets[0].data).toEqual(data.identityTrend.map((t) => t.profiles));
      expect(charts.sizes?.datasets.map((d) => d.label)).toEqual(data.segments.names);
      expect(charts.syncs?.labels).toEqual(data.syncs.perSync.map((s) => s.sync));
      expect(charts.syncs?.datasets.find((d) => d.label === 'created')?.data).toEqual(data.syncs.perSync.map((s) => s.created));

      // Every number on the page is the one in report.json.
      const cells = await page.$$eval('[data-k]', (els) => els.map((e) => [e.getAttribute('data-k') ?? '', e.textContent ?? ''] as const));
      const expected = expectedNumbers(data);
      expect(cells.length).toBeGreaterThan(30);
      for (const [key, text] of cells) {
        expect(expected.has(key), `unexpected number ${key} on the page`).toBe(true);
        expect(text, key).toBe(shown(expected.get(key) ?? null));
      }
      expect(await page.$eval('#run-id', (e) => e.textContent)).toBe(data.run.runId);
      expect(await page.$eval('#identity-gate', (e) => e.getAttribute('data-status'))).toBe(data.identity?.gate?.status);
    } finally {
      await page.close();
    }
  });

  it("draws one person's identity graph: its nodes are the person's identifiers, a link shows its evidence rows", async () => {
    const report = JSON.parse(await readFile(join(dir, 'out', 'report.json'), 'utf8')) as ReportData;
    const largest = report.identity?.largest[0]?.profileId;
    expect(largest).toBeDefined();
    // Any identifier of the largest profile, found through the CLI's own JSON.
    const { DuckDBWarehouse } = await import('../../src/engines/duckdb/warehouse.js');
    const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
    const [first] = await w.query(`select id_type, id_value from cdp.identifiers where profile_id = '${String(largest)}' order by id_type, id_value limit 1`);
    await w.close();

    const inspected = await cdp(dir, ['inspect', `${String(first.id_type)}:${String(first.id_value)}`, '--html', 'out/person.html', '--json'], sandboxes.env);
    expect(inspected.code, inspected.stderr).toBe(0);
    const identity = JSON.parse(inspected.stdout) as {
      profile_id: string;
      identifiers: { id_type: string; id_value: string }[];
      links: { from: { id_type: string; id_value: string }; evidence: { source: string; rows: number }[] }[];
      destinations: { sync: string }[];
    };
    expect(identity.profile_id).toBe(largest);
    expect(identity.links.length).toBeGreaterThan(0);

    const { page, log } = await openPage(browser, pathToFileURL(join(dir, 'out', 'person.html')).href);
    try {
      await screenshot(page, 'inspect');
      expect(log.errors).toEqual([]);
      expect(log.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      type Cy = { nodes(sel?: string): { map<T>(f: (n: { id(): string }) => T): T[] }; edges(sel?: string): { length: number; 0: { emit(e: string): void; data(k: string): string } } };
      const graph = await page.evaluate(() => {
        const cy = (window as { cdpGraph: Cy }).cdpGraph;
        return { members: cy.nodes('[kind = "member"]').map((n) => n.id()).sort(), links: cy.edges('[kind = "link"]').length };
      });
      expect(graph.members).toEqual(identity.identifiers.map((i) => `${i.id_type}:${i.id_value}`).sort());
      expect(graph.links).toBe(identity.links.length);

      // Clicking a link shows the rows behind it.
      await page.evaluate(() => (window as { cdpGraph: Cy }).cdpGraph.edges('[kind = "link"]')[0].emit('tap'));
      const details = await page.$eval('#details', (e) => e.textContent ?? '');
      const link = identity.links[0];
      expect(details).toContain(`${link.from.id_type}:${link.from.id_value}`);
      expect(details).toContain(`${link.evidence[0].source}: ${link.evidence[0].rows} row`);

      const destinations = await page.$$eval('#destinations tbody tr td:first-child', (els) => els.map((e) => e.textContent));
      expect(destinations).toEqual(identity.destinations.map((d) => d.sync));
      const traits = await page.$$eval('#traits tbody tr td:first-child', (els) => els.map((e) => e.textContent));
      expect(traits.length).toBeGreaterThan(5);
    } finally {
      await page.close();
    }
  });
});

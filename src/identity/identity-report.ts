import type { Warehouse } from '../warehouse/warehouse.js';
import type { IdentityTables } from './identity-tables.js';
import { identifierChangesCountSql, previousProfilesSql } from './publish-sql.js';
import type { IdentityMode } from './update-components.js';

export interface ProfileSize {
  readonly profileId: string;
  readonly identifiers: number;
}

export interface SizeBucket {
  /** `1`, `2-5`, `6-20`, `21-100`, `101-1000`, `>1000` */
  readonly label: string;
  readonly profiles: number;
}

export interface ProfileChanges {
  readonly new: number;
  readonly merge: number;
  readonly split: number;
  readonly retire: number;
}

/** What one identity build did, for `cdp build` and `--json`. */
export interface IdentityReport {
  readonly mode: IdentityMode;
  readonly profiles: number;
  readonly identifiers: number;
  /** Rows of `identifiers` this build inserted or deleted: new, gone, moved or seen again (docs/incremental.md). */
  readonly identifiersChanged: number;
  /** Distinct links in the graph (before per-type limits). */
  readonly edges: number;
  readonly edgesAdded: number;
  readonly edgesRemoved: number;
  /** Connected-component rounds run this build, over every loop (full, split, merge, limits). */
  readonly rounds: number;
  readonly largest: readonly ProfileSize[];
  readonly histogram: readonly SizeBucket[];
  readonly hubs: number;
  readonly blockedValues: number;
  readonly droppedByLimit: number;
  readonly droppedByWindow: number;
  readonly changes: ProfileChanges;
  /** Profiles with more identifiers than `max_profile_size`. */
  readonly oversized: readonly ProfileSize[];
  readonly maxProfileSize: number;
  /** Mean identifiers of the largest 1% of profiles (at least one profile): the identity quality gate watches its growth. */
  readonly top1PctMeanSize: number;
  /** Profiles before this build (0 on the first build). */
  readonly previousProfiles: number;
  /** Hubs this build that were not hubs after the previous one. */
  readonly newHubs: number;
  readonly seconds: number;
}

export const SIZE_BUCKETS: readonly { readonly label: string; readonly max: number }[] = [
  { label: '1', max: 1 },
  { label: '2-5', max: 5 },
  { label: '6-20', max: 20 },
  { label: '21-100', max: 100 },
  { label: '101-1000', max: 1000 },
  { label: '>1000', max: Infinity },
];

export interface ReportInputs {
  readonly mode: IdentityMode;
  readonly rounds: number;
  readonly edgesAdded: number;
  readonly edgesRemoved: number;
  readonly droppedByLimit: number;
  readonly maxProfileSize: number;
  readonly newHubs: number;
  readonly started: number;
}

/** Reads the numbers of a finished (but not yet committed) build from its scratch tables. */
export async function collectReport(w: Warehouse, t: IdentityTables, inputs: ReportInputs): Promise<IdentityReport> {
  const d = w.dialect;
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const label = { label: 'identity: report' };
  const num = async (sql: string) => Number((await w.query(sql, label))[0]?.n ?? 0);
  // Identifiers per profile, grouped once by the plan's store step (identity-plan.ts).
  const sizes = s('profile_sizes');
  const buckets = await w.query(
    `select case ${SIZE_BUCKETS.filter((b) => Number.isFinite(b.max)).map((b) => `when n <= ${b.max} then ${d.stringLiteral(b.label)}`).join(' ')} else '>1000' end as bucket, count(*) as profiles
from ${sizes} x group by 1`,
    label,
  );
  const top = async (where: string, limit: number) =>
    (await w.query(`select profile_id, n from ${sizes} x ${where} order by n desc, profile_id limit ${limit}`, label)).map((r) => ({
      profileId: String(r.profile_id),
      identifiers: Number(r.n),
    }));
  const profiles = await num(`select count(*) as n from ${sizes} x`);
  const top1Pct = Math.max(1, Math.ceil(profiles / 100));
  const changes = await w.query(`select kind, count(*) as n from ${s('profile_changes')} group by kind`, label);
  const change = (kind: string) => Number(changes.find((r) => r.kind === kind)?.n ?? 0);
  const previousProfiles = async () => {
    const previous = previousProfilesSql(d, t);
    const [stored] = await w.query(previous.stored, label);
    return stored?.n === null || stored?.n === undefined ? num(previous.counted) : Number(stored.n);
  };
  return {
    mode: inputs.mode,
    profiles,
    identifiers: await num(`select count(*) as n from ${s('identifiers_next')}`),
    identifiersChanged: await num(identifierChangesCountSql(d, t)),
    edges: await num(`select count(*) as n from (select distinct a, b from ${s('edges')}) x`),
    edgesAdded: inputs.edgesAdded,
    edgesRemoved: inputs.edgesRemoved,
    rounds: inputs.rounds,
    largest: await top('', 5),
    histogram: SIZE_BUCKETS.map((b) => ({ label: b.label, profiles: Number(buckets.find((r) => r.bucket === b.label)?.profiles ?? 0) })),
    hubs: await num(`select count(*) as n from ${s('hubs')}`),
    blockedValues: await num(`select count(*) as n from ${s('value_nodes')} where blocked_by is not null`),
    droppedByLimit: inputs.droppedByLimit,
    droppedByWindow: await num(
      `select count(*) as n from (select distinct id_type, id_value, other_type, other_value from ${d.table(t.review)} where reason = 'window') x`,
    ),
    changes: { new: change('new'), merge: change('merge'), split: change('split'), retire: change('retire') },
    oversized: await top(`where n > ${inputs.maxProfileSize}`, 100),
    maxProfileSize: inputs.maxProfileSize,
    top1PctMeanSize: profiles === 0 ? 0 : Math.round(100 * Number((await w.query(`select avg(n) as n from (select n from ${sizes} x order by n desc limit ${top1Pct}) y`, label))[0]?.n ?? 0)) / 100,
    previousProfiles: await previousProfiles(),
    newHubs: inputs.newHubs,
    seconds: Math.round(performance.now() - inputs.started) / 1000,
  };
}

/** The report as lines for the terminal. */
export function formatIdentityReport(r: IdentityReport): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `identity (${r.mode}, ${r.seconds}s): ${n(r.profiles)} profiles from ${n(r.identifiers)} identifiers and ${n(r.edges)} links (${r.rounds} rounds)`,
    `  this run: +${n(r.edgesAdded)}/-${n(r.edgesRemoved)} links; ${n(r.changes.new)} new, ${n(r.changes.merge)} merged, ${n(r.changes.split)} split, ${n(r.changes.retire)} retired`,
    `  guards: ${n(r.blockedValues)} blocklisted values, ${n(r.hubs)} hubs, ${n(r.droppedByLimit)} links over per-type limits, ${n(r.droppedByWindow)} links outside their window`,
    `  sizes: ${r.histogram.map((b) => `${b.label}: ${n(b.profiles)}`).join(', ')}`,
  ];
  if (r.largest.length > 0) lines.push(`  largest: ${r.largest.map((p) => `${p.profileId} (${n(p.identifiers)})`).join(', ')}`);
  if (r.oversized.length > 0) {
    lines.push(
      `  warning: ${r.oversized.length} profile(s) over max_profile_size ${n(r.maxProfileSize)}: ${r.oversized
        .slice(0, 10)
        .map((p) => `${p.profileId} (${n(p.identifiers)})`)
        .join(', ')} — look for a shared value with \`cdp inspect\``,
    );
  }
  return lines;
}

import type { SegmentTarget, SyncConfig } from '../config/schema.js';
import { removalCount, type DiffCounts } from './diff-counts.js';
import type { PipelineCounts } from './sync-pipeline.js';
import type { DriftSummary } from './drift/check-drift.js';
import type { SyncShape } from './sync-shape.js';
import type { MatchKeyReport } from './send-sync.js';
import type { RemovalGate } from './removal-gates.js';

/** What a sync would send (`cdp plan`) or was asked to send (`cdp sync`). */
export interface DiffSummary {
  /** Records in the diff: entering, changed and leaving. */
  readonly records: number;
  readonly creates: number;
  readonly updates: number;
  /** Records leaving the sync (out of audience, consent withdrawn, profile or key gone). */
  readonly removals: number;
  /** Per destination field: records already synced whose value changes. */
  readonly fieldUpdates: Readonly<Record<string, number>>;
  readonly memberships: Readonly<Record<string, { readonly target: string; readonly add: number; readonly remove: number }>>;
  /**
   * Targets cdp wrote before and no longer uses (docs/sync-renames.md): memberships moved out of an old list
   * or campaign (to the segment's new target, when it has one), and old fields cleared (mirror mode).
   */
  readonly retired: {
    readonly memberships: readonly { readonly segment: string; readonly from: string; readonly to: string | null; readonly members: number }[];
    readonly fields: readonly { readonly field: string; readonly records: number }[];
  };
  /** Records in the sync's state before this run. */
  readonly synced: number;
  /** Records losing the sync or a membership, as a percentage of `synced` (what max_removals_pct limits). */
  readonly removalPct: number;
}

export interface SyncSummary {
  readonly sync: string;
  readonly destination: string;
  readonly object: string;
  readonly mode: SyncConfig['mode'];
  readonly status: 'success' | 'rejected';
  readonly diff: DiffSummary;
  /** Shared and refused match keys (docs/guarantees.md). */
  readonly match_keys: MatchKeyReport;
  /** Every removal gate of the sync, as evaluated before anything was sent. */
  readonly gates: readonly RemovalGate[];
  readonly sent: Omit<PipelineCounts, 'rejected'>;
  readonly rejected: number;
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly seconds: number;
  readonly notes: readonly string[];
  /** What the drift check found in the CRM before the diff (connectors with `drift: true`). */
  readonly drift?: DriftSummary;
}

export function describeTarget(target: SegmentTarget): string {
  if ('list' in target) return `list "${target.list}"`;
  if ('campaign' in target) return `campaign "${target.campaign}"${target.status ? ` (${target.status})` : ''}`;
  return `field ${target.field}`;
}

export function diffSummary(shape: SyncShape, counts: DiffCounts, synced: number): DiffSummary {
  return {
    records: counts.total,
    creates: counts.enter,
    updates: counts.change,
    removals: counts.leave,
    fieldUpdates: Object.fromEntries(shape.fields.flatMap((f, i) => (f.retired ? [] : [[f.name, counts.fieldUpdates[i]]]))),
    memberships: Object.fromEntries(
      shape.segments.flatMap((s, j) => (s.retired ? [] : [[s.segment, { target: describeTarget(s.target), add: counts.adds[j], remove: counts.removes[j] + counts.leaveMembers[j] }]])),
    ),
    retired: {
      memberships: shape.segments.flatMap((s, j) =>
        s.retired
          ? [{ segment: s.retired.segment, from: describeTarget(s.target), to: s.retired.replacedBy ? describeTarget(s.retired.replacedBy) : null, members: counts.removes[j] + counts.leaveMembers[j] }]
          : [],
      ),
      fields: shape.fields.flatMap((f, i) => (f.retired ? [{ field: f.name, records: counts.fieldUpdates[i] }] : [])),
    },
    synced,
    removalPct: synced === 0 ? 0 : Math.round((removalCount(counts) / synced) * 10_000) / 100,
  };
}

const n = (x: number) => x.toLocaleString('en-US');

/** `cdp plan` lines for one sync. */
export function previewLines(header: string, diff: DiffSummary, mode: SyncConfig['mode']): string[] {
  const lines = [`${header}: ${n(diff.records)} record${diff.records === 1 ? '' : 's'} to send (${n(diff.synced)} synced before)`];
  lines.push(`  create  ${n(diff.creates)}${mode === 'update' ? ' (existing records only: mode update)' : ''}`);
  const fields = Object.entries(diff.fieldUpdates).filter(([, c]) => c > 0);
  lines.push(`  update  ${n(diff.updates)}${fields.length > 0 ? `  (${fields.map(([f, c]) => `${f} ${n(c)}`).join(', ')})` : ''}`);
  lines.push(`  remove  ${n(diff.removals)}${mode === 'mirror' ? ' (fields and memberships cdp set are cleared)' : ' (no longer synced)'}`);
  for (const [segment, m] of Object.entries(diff.memberships)) lines.push(`  ${segment} -> ${m.target}  +${n(m.add)} -${n(m.remove)}`);
  for (const m of diff.retired.memberships) {
    lines.push(m.to ? `  ${m.segment}: move ${n(m.members)} members from ${m.from} to ${m.to} (target renamed)` : `  ${m.segment}: remove ${n(m.members)} members from ${m.from} (no longer synced)`);
  }
  for (const f of diff.retired.fields) lines.push(`  clear old field ${f.field} on ${n(f.records)} records (no longer mapped; mirror mode)`);
  return lines;
}

/** One line per finished sync. */
export function resultLine(s: SyncSummary): string {
  const parts = [`${n(s.sent.created)} created`, `${n(s.sent.updated)} updated`];
  if (s.mode === 'mirror' || s.sent.cleared > 0) parts.push(`${n(s.sent.cleared)} cleared`);
  if (s.sent.skipped > 0) parts.push(`${n(s.sent.skipped)} not in ${s.destination} (skipped)`);
  if (s.sent.added + s.sent.removed > 0) parts.push(`memberships +${n(s.sent.added)} -${n(s.sent.removed)}`);
  parts.push(`${n(s.rejected)} rejected`);
  const line = `${s.sync}: ${parts.join(', ')} (${n(s.requests)} requests, ${s.seconds.toFixed(1)} s)`;
  return s.drift ? `${line}\n  ${driftLine(s.drift, s.mode)}` : line;
}

/** `drift: 1 edited (restored), 2 kept (crm owns them), 1 deleted (re-created), 1 merged (3 reads)` */
export function driftLine(drift: DriftSummary, mode: SyncConfig['mode']): string {
  const parts = [
    `${n(drift.edited)} edited (restored)`,
    ...(drift.kept > 0 ? [`${n(drift.kept)} kept (owned by the CRM)`] : []),
    `${n(drift.deleted)} deleted (${mode === 'update' ? 'no longer synced' : 're-created'})`,
    `${n(drift.merged)} merged`,
  ];
  const cost = drift.from === 'pull' ? 'from the pulled table, 0 reads' : `${n(drift.requests)} reads`;
  return `drift in the CRM: ${parts.join(', ')} (${cost}, ${drift.seconds.toFixed(1)} s)`;
}

/** What the key checks found, when they found something: keys several people share, keys the destination refuses. */
export function matchKeyLines(k: MatchKeyReport, destination: string): string[] {
  const lines: string[] = [];
  if (k.collided_keys > 0) {
    const rule = k.on_collision === 'skip' ? 'the key is used for none of them (match.on_collision: skip)' : 'one of them keeps it (match.on_collision: keep_one)';
    lines.push(`match keys: ${n(k.collided_profiles)} profiles share ${n(k.collided_keys)} key${k.collided_keys === 1 ? '' : 's'}${among(k)}; ${rule}`);
  }
  if (k.refused_keys > 0) {
    lines.push(`match keys: ${n(k.refused_keys)} profile${k.refused_keys === 1 ? ' has a key' : 's have keys'} ${destination} always refuses${among(k)}: not sent (${n(k.new_refused_keys)} not reported before)`);
  }
  return lines;
}

/** The key report of a diff that read only the profiles changed since the last sync counts among those. */
function among(k: MatchKeyReport): string {
  return k.among === 'changed' ? ' (among the profiles changed since the last sync)' : '';
}

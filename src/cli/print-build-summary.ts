import { formatIdentityGate } from '../identity/identity-gate.js';
import { formatIdentityReport } from '../identity/identity-report.js';
import type { BuildSummary } from '../run/build-project.js';
import type { StageStats } from '../run/stage-stats.js';
import type { Reporter } from './io.js';

export function printBuildSummary(reporter: Reporter, summary: BuildSummary): void {
  const took = Object.entries(summary.seconds)
    .map(([stage, s]) => `${stage} ${s.toFixed(1)}s`)
    .join(', ');
  reporter.info(`built ${summary.models} models and ${summary.sources} sources (${took})`);
  for (const line of formatStageStats(summary.stages)) reporter.info(line);
  for (const bad of summary.badRows) {
    const columns = Object.entries(bad.columns).map(([c, n]) => `${c} ${n}`).join(', ');
    reporter.problem(`source ${bad.source}: skipped ${bad.rows} bad row${bad.rows === 1 ? '' : 's'} (${columns}); they are in ${bad.quarantine}`);
  }
  if (summary.identity) for (const line of formatIdentityReport(summary.identity)) reporter.info(line);
  if (summary.identityGate) {
    const [first, ...rest] = formatIdentityGate(summary.identityGate);
    if (summary.identityGate.status === 'tripped') for (const line of [first, ...rest]) reporter.problem(line);
    else reporter.info(first);
  }
  if (summary.profiles) {
    const p = summary.profiles;
    // `recomputed` counts every profile the build updated; those kept from their parts read none of their rows.
    const parts = p.fromParts > 0 ? `, ${p.fromParts.toLocaleString('en-US')} from their parts` : '';
    const how = p.mode === 'incremental' ? ` (incremental: ${(p.recomputed - p.fromParts).toLocaleString('en-US')} recomputed${parts}; docs/incremental.md)` : '';
    reporter.info(`profiles: ${p.profiles.toLocaleString('en-US')} with ${p.traits} traits${how}`);
    if (p.nonFinite > 0) reporter.problem(`profiles: ${p.nonFinite} trait value${p.nonFinite === 1 ? ' was' : 's were'} NaN or infinite and ${p.nonFinite === 1 ? 'is' : 'are'} NULL instead`);
    if (p.segments.length > 0) {
      reporter.info('segments:');
      const width = Math.max(...p.segments.map((s) => s.segment.length));
      for (const s of p.segments) {
        const moved = s.entered || s.exited ? `  (+${s.entered} entered, -${s.exited} exited)` : '';
        reporter.info(`  ${s.segment.padEnd(width)}  ${String(s.size).padStart(7)}${moved}`);
      }
    }
  }
  if (summary.accounts) {
    const a = summary.accounts;
    const segments = Object.entries(a.segments).map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`).join(', ');
    reporter.info(`accounts: ${a.accounts.toLocaleString('en-US')}, ${a.members.toLocaleString('en-US')} members (${a.membershipChanges.toLocaleString('en-US')} joined, left or moved)${segments ? `; ${segments}` : ''}`);
    if (a.oversized.length > 0) reporter.problem(`accounts: ${a.oversized.length} over max_profile_size (largest ${a.oversized[0].accountId} with ${a.oversized[0].identifiers} identifiers)`);
  }
}

/** One line per stage: rows read and written, and on BigQuery the bytes its jobs processed and billed (docs/commands.md#cost-per-stage). */
export function formatStageStats(stages: readonly StageStats[]): string[] {
  const n = (v: number | null) => (v === null ? '-' : v.toLocaleString('en-US'));
  const width = Math.max(0, ...stages.map((s) => s.stage.length));
  return stages.map((s) => {
    const bytes = s.bytes_processed === null && s.bytesBilled === null ? '' : `, ${formatBytes(s.bytes_processed)} processed, ${formatBytes(s.bytesBilled)} billed`;
    return `  ${s.stage.padEnd(width)}  read ${n(s.rowsRead)} rows, wrote ${n(s.rowsWritten)} rows${bytes}`;
  });
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return '? bytes';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

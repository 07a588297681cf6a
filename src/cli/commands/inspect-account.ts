import type { LoadedProject } from '../../config/load-project.js';
import { inspectAccount } from '../../account/inspect-account.js';
import { profileSyncStates } from '../../sync/profile-sync-state.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/**
 * `cdp inspect account:<domain, type:value or acc_ id>`: identifiers, members and why, traits, segments
 * (docs/accounts.md), and the record each account sync confirmed for it (docs/accounts-sync.md).
 */
export async function printAccount(ctx: CommandContext, project: LoadedProject, warehouse: Warehouse, query: string): Promise<number> {
  const r = ctx.reporter;
  const view = await inspectAccount(warehouse, project, query);
  if (!view.found) {
    const why = {
      'no-accounts': 'the project has no accounts: block',
      'not-built': 'accounts have not been built yet: run `cdp build`',
      'unknown-type': 'no account identifier type is a domain; use type:value or an account id',
      'not-found': 'no account has this identifier',
    }[view.reason];
    r.info(`account:${query}: no account (${why})`);
    r.summary({ ...view, account: true });
    return ExitCode.ok;
  }
  r.info(`account ${view.accountId}`);
  r.info(`\nidentifiers (${view.identifiers.length}):`);
  for (const id of view.identifiers) r.info(`  ${id.idType}:${id.idValue}`);
  r.info(`\nmembers (${view.members.length}):`);
  for (const m of view.members) r.info(`  ${m.profileId}${m.identifier ? ` ${m.identifier}` : ''}  (${m.reason})`);
  r.info('\ntraits:');
  const width = Math.max(0, ...Object.keys(view.traits).map((k) => k.length));
  for (const [name, value] of Object.entries(view.traits)) r.info(`  ${name.padEnd(width)}  ${value === null ? '-' : String(value)}`);
  r.info('\nsegments:');
  for (const s of view.segments) r.info(`  ${s.member ? 'in ' : 'out'} ${s.segment}${s.member ? ` since ${String(s.enteredAt)}` : ''}: ${s.where}`);
  const destinations = await profileSyncStates(warehouse, project, view.accountId, 'account');
  for (const d of destinations) {
    r.info(`\n${d.sync} (${d.destination} ${d.object}): ${d.record ? `record ${d.record.destinationId ?? d.record.matchKey ?? '?'}, confirmed ${String(d.record.syncedAt)}` : 'not synced'}`);
    for (const x of d.rejections) r.info(`  rejected (${x.code}): ${x.message}`);
  }
  r.summary({ ...view, destinations });
  return ExitCode.ok;
}

import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import type { SqlType } from '../dialect/dialect.js';
import { isAccountTrait, syncEntity } from '../config/sync-entity.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { syncShape, type KeyRules, type SyncShape } from './sync-shape.js';
import { readTargets } from './sync-targets.js';

/**
 * The sync's shape, with trait types read from the built `profiles` table and the targets cdp last wrote
 * (`_cdp_sync_targets`: renamed targets become retired entries, docs/sync-renames.md). A missing table or
 * column means the build is older than the project files: a run error that says so.
 */
export async function loadSyncShape(warehouse: Warehouse, project: LoadedProject, sync: Declared<SyncConfig>, key: KeyRules): Promise<SyncShape> {
  const entity = syncEntity(sync);
  const rows = cdpTable(project, entity.table);
  const build = 'run `cdp build` (or `cdp run`) first';
  if (!(await warehouse.tableExists(rows))) throw new RunError('not-built', `${rows.schema}.${entity.table} does not exist`, build);
  const types = new Map<string, SqlType>((await warehouse.columns(rows)).map((c) => [c.name.toLowerCase(), c.sqlType ?? 'string']));
  const traits = [...(sync.match.trait !== undefined ? [sync.match.trait] : []), ...Object.values(sync.fields).filter((t) => !isAccountTrait(t))];
  const missing = [...new Set(traits.filter((t) => !types.has(t.toLowerCase())))];
  if (missing.length > 0) {
    throw new RunError('not-built', `sync '${sync.sync}' needs trait${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}, which ${rows.schema}.${entity.table} lacks`, build);
  }
  const needsMembers = sync.audience !== 'all' || Object.keys(sync.segments).length > 0;
  const members = cdpTable(project, entity.members);
  if (needsMembers && !(await warehouse.tableExists(members))) throw new RunError('not-built', `${members.schema}.${entity.members} does not exist`, build);
  const identifiers = cdpTable(project, entity.identifiers);
  if (sync.match.id_type !== undefined && !(await warehouse.tableExists(identifiers))) {
    throw new RunError('not-built', `sync '${sync.sync}' matches on id_type ${sync.match.id_type}, but ${identifiers.schema}.${entity.identifiers} does not exist`, build);
  }
  const accountTypes = await accountTraitTypes(warehouse, project, sync, build);
  for (const [trait, type] of accountTypes) types.set(trait, type);
  const shape = syncShape(project, sync, types, key, await readTargets(warehouse, project, sync.sync));
  // Identity review and erasures concern persons only.
  const review = cdpTable(project, '_identity_review');
  const erasures = cdpTable(project, 'erasures');
  const person = entity.kind === 'person';
  const withReview = person && sync.match.id_type !== undefined && (await warehouse.tableExists(review));
  const withErasures = person && (await warehouse.tableExists(erasures)) && (await warehouse.tableExists(identifiers));
  // `account: { sync }`: the person's account from account_members; the account sync's state may not exist
  // yet (it has not run): then no contact has an account record to be associated with.
  const { accountMembers, accountState, ...tables } = shape.tables;
  if (shape.account && accountMembers && !(await warehouse.tableExists(accountMembers))) {
    throw new RunError('not-built', `sync '${sync.sync}' associates accounts, but ${accountMembers.schema}.account_members does not exist`, build);
  }
  const withAccountState = accountState !== undefined && (await warehouse.tableExists(accountState));
  return {
    ...shape,
    tables: {
      ...tables,
      ...(accountMembers ? { accountMembers } : {}),
      ...(withAccountState ? { accountState } : {}),
      ...(withReview ? { review } : {}),
      ...(withErasures ? { erasures } : {}),
    },
  };
}

/**
 * The types of the account traits a person sync maps (`account.mrr` -> the type of `accounts.mrr`), read
 * from the built `accounts` table; `account_members` must exist too.
 */
async function accountTraitTypes(warehouse: Warehouse, project: LoadedProject, sync: Declared<SyncConfig>, build: string): Promise<Map<string, SqlType>> {
  const wanted = Object.values(sync.fields).filter(isAccountTrait);
  if (wanted.length === 0) return new Map();
  const accounts = cdpTable(project, 'accounts');
  const members = cdpTable(project, 'account_members');
  for (const [table, name] of [[accounts, 'accounts'], [members, 'account_members']] as const) {
    if (!(await warehouse.tableExists(table))) throw new RunError('not-built', `sync '${sync.sync}' maps account traits, but ${table.schema}.${name} does not exist`, build);
  }
  const columns = new Map<string, SqlType>((await warehouse.columns(accounts)).map((c) => [c.name.toLowerCase(), c.sqlType ?? 'string']));
  const missing = wanted.filter((t) => !columns.has(t.slice('account.'.length).toLowerCase()));
  if (missing.length > 0) throw new RunError('not-built', `sync '${sync.sync}' needs ${missing.map((m) => `'${m}'`).join(', ')}, which ${accounts.schema}.accounts lacks`, build);
  return new Map(wanted.map((t) => [t.toLowerCase(), columns.get(t.slice('account.'.length).toLowerCase()) ?? 'string']));
}

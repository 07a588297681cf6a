import type { LoadedProject } from '../config/load-project.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { identitySpec } from './identity-spec.js';
import { identityTables } from './identity-tables.js';

/** What `cdp inspect p_…` starts from: one identifier of the profile (or of the profile that absorbed it). */
export type ProfileAnchor =
  | { readonly found: true; readonly idType: string; readonly idValue: string; readonly profileId: string; readonly absorbedInto?: string }
  | { readonly found: false; readonly reason: 'not-built' | 'unknown-profile' };

export const PROFILE_ID = /^p_[0-9a-f]{16}$/i;

export async function profileAnchor(warehouse: Warehouse, project: LoadedProject, profileId: string): Promise<ProfileAnchor> {
  const d = warehouse.dialect;
  const t = identityTables(identitySpec(project).schema);
  if (!(await warehouse.tableExists(t.identifiers))) return { found: false, reason: 'not-built' };
  const first = async (id: string) =>
    (await warehouse.query(`select id_type, id_value from ${d.table(t.identifiers)} where profile_id = ${d.stringLiteral(id)} order by id_type, id_value limit 1`))[0];
  const own = await first(profileId);
  if (own) return { found: true, idType: String(own.id_type), idValue: String(own.id_value), profileId };
  if (await warehouse.tableExists(t.aliases)) {
    const [alias] = await warehouse.query(`select profile_id from ${d.table(t.aliases)} where old_profile_id = ${d.stringLiteral(profileId)} limit 1`);
    const absorbed = alias ? await first(String(alias.profile_id)) : undefined;
    if (alias && absorbed) return { found: true, idType: String(absorbed.id_type), idValue: String(absorbed.id_value), profileId: String(alias.profile_id), absorbedInto: String(alias.profile_id) };
  }
  return { found: false, reason: 'unknown-profile' };
}

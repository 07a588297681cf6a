/**
 * What identity published and linked, by value, for comparing two warehouses (or one before and after
 * `--full-refresh`): node keys are numbered in the order values arrived, so links are compared by their ends'
 * `type:value`, the smaller end first.
 */
export const IDENTIFIERS_SQL = 'select id_type, id_value, profile_id, first_seen, last_seen from cdp.identifiers order by all';

export const LINKS_BY_VALUE_SQL = `select least(x, y) as one, greatest(x, y) as other, src, first_seen, last_seen, n_rows, evidence
  from (select na.id_type || ':' || na.id_value as x, nb.id_type || ':' || nb.id_value as y, e.*
    from cdp._identity_edges e join cdp._identity_nodes na on na.node_key = e.a join cdp._identity_nodes nb on nb.node_key = e.b) l order by all`;

import type { LoadedProject } from '../config/load-project.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { IdentifierRef } from './inspect-identity.js';
import { identitySpec } from './identity-spec.js';
import { normalizeSql } from './normalize-sql.js';

/** A source's bad rows (docs/bad-rows.md) that carry one of a person's identifiers. */
export interface QuarantinedRows {
  readonly source: string;
  readonly rows: number;
  readonly badColumns: string;
  readonly table: string;
}

/** For `cdp inspect`: the rows of `quarantine_<source>` tables that name one of `identifiers`. */
export async function quarantinedRows(warehouse: Warehouse, project: LoadedProject, identifiers: readonly IdentifierRef[]): Promise<readonly QuarantinedRows[]> {
  const d = warehouse.dialect;
  const spec = identitySpec(project);
  const out: QuarantinedRows[] = [];
  for (const source of spec.sources) {
    const table = cdpTable(project, `quarantine_${source.name}`);
    if (!(await warehouse.tableExists(table))) continue;
    const tests = source.identifiers.flatMap((c) => {
      const values = identifiers.filter((i) => i.idType === c.type.name).map((i) => d.stringLiteral(i.idValue));
      return values.length === 0 ? [] : [`${normalizeSql(d, c.type, `q.${d.quoteIdentifier(c.column)}`)} in (${values.join(', ')})`];
    });
    if (tests.length === 0) continue;
    const [row] = await warehouse.query(`select count(*) as n, min(q._cdp_bad_columns) as bad from ${d.table(table)} q where ${tests.join(' or ')}`);
    const rows = Number(row?.n ?? 0);
    if (rows > 0) out.push({ source: source.name, rows, badColumns: String(row?.bad ?? ''), table: `${project.config.schema}.quarantine_${source.name}` });
  }
  return out;
}

import type { LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';

/** Names of the tables and views cdp owns in the project's schema. */
export function cdpTable(project: LoadedProject, name: string): TableRef {
  return { schema: project.config.schema, name };
}

/** Every source is read through one relation in cdp's schema, whatever it points at. */
export function sourceRelation(project: LoadedProject, source: Pick<SourceConfig, 'name'>): TableRef {
  return cdpTable(project, `source_${source.name}`);
}

/** `raw.orders` or `project.dataset.table`, each part quoted. */
export function qualifiedName(dialect: Dialect, dotted: string): string {
  return dotted
    .split('.')
    .map((part) => dialect.quoteIdentifier(part))
    .join('.');
}

/** `crm_<destination>_<object>`, lower-case: the warehouse table a pull writes. */
export function pulledTableName(destination: string, object: string): string {
  return `crm_${destination}_${object}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

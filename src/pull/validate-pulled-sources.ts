import type { LoadedProject } from '../config/load-project.js';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { PULL_COLUMNS } from './pull-sql.js';
import { pullObjects, pulledColumn } from './pull-objects.js';

/**
 * Sources that read pulled CRM records (`pulled:`, docs/pull.md): the destination must exist, the
 * object must be one `cdp pull` copies from it, and every column must be one the pulled table has.
 */
export function validatePulledSources(project: LoadedProject): Diagnostic[] {
  const out: Diagnostic[] = [];
  const destinations = Object.keys(project.config.destinations);
  for (const source of project.sources) {
    if (!source.pulled) continue;
    const at = (...path: (string | number)[]) => source.origin.file.locate([...source.origin.path, 'pulled', ...path]);
    const { destination, object, columns } = source.pulled;
    if (!destinations.includes(destination)) {
      out.push(error('unknown-destination', `source '${source.name}' reads pulled records of unknown destination '${destination}'`, at('destination'), suggestion(destination, destinations) ?? `destinations: ${destinations.join(', ') || '(none)'}`));
      continue;
    }
    const objects = pullObjects(project, destination);
    const pulled = objects.find((o) => o.object.toLowerCase() === object.toLowerCase());
    if (!pulled) {
      const names = objects.map((o) => o.object);
      out.push(error('unknown-object', `cdp pull does not copy '${object}' from '${destination}'`, at('object'), suggestion(object, names) ?? `it copies ${names.join(', ')}`));
      continue;
    }
    const available = [...PULL_COLUMNS, ...pulled.fields.map(pulledColumn)];
    for (const [as, column] of Object.entries(columns)) {
      if (available.includes(column.toLowerCase())) continue;
      out.push(error('unknown-column', `the pulled ${destination} ${pulled.object} table has no column '${column}' (for '${as}')`, at('columns', as), suggestion(column.toLowerCase(), available) ?? `columns: ${available.join(', ')}`));
    }
  }
  return out;
}

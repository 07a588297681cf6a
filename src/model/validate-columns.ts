import { locate, type Declared, type LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import { error, type Diagnostic, type Location } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { sqlNames } from './sql-names.js';

/**
 * Checks the source columns that sources (timestamp, primary key, identifiers, declared types) and
 * traits (column, where) name against the columns each source has (see sourceColumns). Sources whose
 * columns are unknown are skipped. Every typo is reported, each at its line, with a did-you-mean.
 */
export function validateColumns(project: LoadedProject, columns: ReadonlyMap<string, readonly string[]>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const source of project.sources) {
    const known = columns.get(source.name);
    if (!known) continue;
    const check = (column: string, who: string, at: Location) => {
      if (!isName(column) || known.includes(column.toLowerCase())) return;
      out.push(unknownColumn(source, column, who, at, known));
    };
    if (source.timestamp !== undefined) check(source.timestamp, `source '${source.name}' timestamp`, locate(source.origin, 'timestamp'));
    if (source.primary_key !== undefined) check(source.primary_key, `source '${source.name}' primary_key`, locate(source.origin, 'primary_key'));
    source.identifiers.forEach((id, i) => check(id.column, `source '${source.name}' identifier (${id.type})`, source.origin.file.locate([...source.origin.path, 'identifiers', i, 'column'])));
    for (const column of Object.keys(source.columns)) {
      check(column, `source '${source.name}' columns:`, source.origin.file.locate([...source.origin.path, 'columns', column], { key: true }));
    }
  }
  for (const trait of project.traits) {
    const source = trait.from === undefined ? undefined : project.sources.find((s) => s.name === trait.from);
    const known = source ? columns.get(source.name) : undefined;
    if (!source || !known) continue;
    if (trait.column !== undefined && !known.includes(trait.column.toLowerCase())) {
      out.push(unknownColumn(source, trait.column, `trait '${trait.name}'`, locate(trait.origin, 'column'), known));
    }
    // In where:, only a near miss of a column is surely a typo; other names may be SQL functions.
    for (const name of sqlNames(trait.where ?? '')) {
      if (known.includes(name.toLowerCase())) continue;
      const hint = suggestion(name.toLowerCase(), known);
      if (hint) out.push(error('unknown-column', `trait '${trait.name}' where: reads column '${name}', which source '${source.name}' does not have`, locate(trait.origin, 'where'), hint));
    }
  }
  return out;
}

function unknownColumn(source: Declared<SourceConfig>, column: string, who: string, at: Location, known: readonly string[]): Diagnostic {
  const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
  return error('unknown-column', `${who} reads column '${column}', which source '${source.name}' does not have`, at, suggestion(column.toLowerCase(), known) ?? `its columns: ${list}`);
}

function isName(text: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text);
}

import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { topologicalOrder } from '../model/find-cycle.js';
import { sqlNames } from '../model/sql-names.js';

/**
 * `select segment, profile_id` for every segment a profile is in. Each segment becomes a boolean
 * column over the profiles, in dependency order, so a segment's `where` can use other segments.
 */
export function compileSegmentMembersSelect(project: LoadedProject, dialect: Dialect, profiles: string): string {
  const q = (n: string) => dialect.quoteIdentifier(n);
  const names = project.segments.map((s) => s.name);
  if (names.length === 0) {
    return `select ${dialect.cast('null', 'string')} as segment, ${dialect.cast('null', 'string')} as profile_id from ${profiles} where 1 = 0`;
  }
  const order = topologicalOrder(names, (n) => sqlNames(project.segments.find((s) => s.name === n)?.where ?? ''));
  const ctes: string[] = [];
  let previous = profiles;
  order.forEach((name, i) => {
    const segment = project.segments.find((s) => s.name === name);
    const cte = `s${i}`;
    ctes.push(`${cte} as (\n  select ${i === 0 ? 'p' : previous}.*, coalesce((${segment?.where}), false) as ${q(name)}\n  from ${previous}${i === 0 ? ' p' : ''}\n)`);
    previous = cte;
  });
  const unions = names.map((n) => `select ${dialect.stringLiteral(n)} as segment, profile_id from ${previous} where ${q(n)}`);
  return `with\n${ctes.join(',\n')}\n${unions.join('\nunion all\n')}`;
}

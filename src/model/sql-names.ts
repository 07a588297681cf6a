/**
 * The bare names a SQL fragment refers to (columns, traits, segments), skipping string literals,
 * keywords and function calls. Used to order derived traits and to catch misspelt trait names.
 */
const keywords = new Set(
  `and or not is null true false in between like ilike similar case when then else end as cast try_cast safe_cast
  interval second seconds minute minutes hour hours day days week weeks month months year years date timestamp
  distinct all any some exists select from where group by order having limit asc desc nulls first last over
  partition rows range preceding following unbounded current row filter within escape collate at time zone
  varchar string int integer bigint int64 float double float64 numeric decimal boolean bool text
  current_date current_timestamp`.split(/\s+/),
);

export function sqlNames(fragment: string): string[] {
  const names: string[] = [];
  const token = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|`([^`]*)`|([A-Za-z_][A-Za-z0-9_$]*)(\s*\()?|\.\s*[A-Za-z_][A-Za-z0-9_]*/g;
  for (const m of fragment.matchAll(token)) {
    const quoted = m[1] ?? m[2];
    if (quoted !== undefined) names.push(quoted.replaceAll('""', '"'));
    else if (m[3] !== undefined && m[4] === undefined && !keywords.has(m[3].toLowerCase())) names.push(m[3]);
  }
  return [...new Set(names)];
}

/** `{{ ref('name') }}` and `{{ source('schema', 'table') }}` in a model's SQL. */
export type TemplateCall =
  | { readonly kind: 'ref'; readonly name: string; readonly text: string; readonly offset: number }
  | { readonly kind: 'source'; readonly schema: string; readonly table: string; readonly text: string; readonly offset: number }
  | { readonly kind: 'invalid'; readonly text: string; readonly offset: number };

const call = /\{\{\s*(.*?)\s*\}\}/g;
const refCall = /^ref\(\s*(['"])([^'"]+)\1\s*\)$/;
const sourceCall = /^source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)$/;

export function templateCalls(sql: string): TemplateCall[] {
  return [...sql.matchAll(call)].map((m) => {
    const inner = m[1];
    const offset = m.index ?? 0;
    const ref = refCall.exec(inner);
    if (ref) return { kind: 'ref', name: ref[2], text: m[0], offset };
    const source = sourceCall.exec(inner);
    if (source) return { kind: 'source', schema: source[2], table: source[4], text: m[0], offset };
    return { kind: 'invalid', text: m[0], offset };
  });
}

/** Replaces every template call with the SQL the resolver gives for it. */
export function renderTemplates(sql: string, resolve: (call: Exclude<TemplateCall, { kind: 'invalid' }>) => string): string {
  let out = '';
  let last = 0;
  for (const c of templateCalls(sql)) {
    if (c.kind === 'invalid') continue;
    out += sql.slice(last, c.offset) + resolve(c);
    last = c.offset + c.text.length;
  }
  return out + sql.slice(last);
}

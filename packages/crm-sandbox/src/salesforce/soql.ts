/**
 * A small SOQL parser for what a sync destination sends:
 *   SELECT f1, f2 | COUNT() FROM S [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]
 * Conditions: = != <> < <= > >= LIKE, [NOT] IN (...), AND / OR / NOT with parentheses (AND and OR
 * cannot be mixed without them, as in Salesforce). Literals: 'strings', numbers, true/false, null,
 * date (2024-01-31) and datetime (2024-01-31T10:00:00Z) literals. Field paths may go one
 * relationship up (Contact.Email). Names are resolved later, against the schema.
 */
export type SoqlLiteral =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'date'; readonly value: string }
  | { readonly kind: 'datetime'; readonly value: string };

export interface FieldPath {
  readonly path: string;
  readonly pos: number;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';

export type SoqlCondition =
  | { readonly kind: 'compare'; readonly field: FieldPath; readonly op: CompareOp; readonly value: SoqlLiteral; readonly valuePos: number }
  | { readonly kind: 'in'; readonly field: FieldPath; readonly negated: boolean; readonly values: readonly SoqlLiteral[]; readonly valuePos: number }
  | { readonly kind: 'and' | 'or'; readonly items: readonly SoqlCondition[] }
  | { readonly kind: 'not'; readonly item: SoqlCondition };

export interface SoqlOrder {
  readonly field: FieldPath;
  readonly descending: boolean;
  readonly nullsLast: boolean;
}

export interface SoqlQuery {
  readonly select: { readonly kind: 'fields'; readonly fields: readonly FieldPath[] } | { readonly kind: 'count' };
  readonly from: { readonly name: string; readonly pos: number };
  readonly where?: SoqlCondition;
  readonly orderBy: readonly SoqlOrder[];
  readonly limit?: number;
  readonly offset?: number;
}

export interface SoqlError {
  readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR' | 'NUMBER_OUTSIDE_VALID_RANGE';
  readonly detail: string;
  readonly pos: number;
}

export type SoqlParse = { readonly ok: true; readonly query: SoqlQuery } | { readonly ok: false; readonly error: SoqlError };

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly pos: number }
  | { readonly kind: 'literal'; readonly value: SoqlLiteral; readonly text: string; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly text: '<EOF>'; readonly pos: number };

class SoqlSyntaxError extends Error {
  constructor(readonly error: SoqlError) {
    super(error.detail);
  }
}

const unexpected = (t: Token): never => {
  throw new SoqlSyntaxError({ errorCode: 'MALFORMED_QUERY', detail: t.kind === 'eof' ? 'unexpected token: <EOF>' : `unexpected token: '${t.text}'`, pos: t.pos });
};

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\d:T])/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = soql.slice(i);
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (; j < soql.length && soql[j] !== "'"; j++) {
        if (soql[j] === '\\' && j + 1 < soql.length) {
          const e = soql[++j];
          value += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e;
        } else value += soql[j];
      }
      if (j >= soql.length) throw new SoqlSyntaxError({ errorCode: 'MALFORMED_QUERY', detail: "unexpected token: <EOF>", pos: soql.length });
      tokens.push({ kind: 'literal', value: { kind: 'string', value }, text: soql.slice(i, j + 1), pos: i });
      i = j + 1;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      tokens.push({ kind: 'literal', value: { kind: 'datetime', value: new Date(dt[0]).toISOString() }, text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE.exec(rest);
    if (d) {
      tokens.push({ kind: 'literal', value: { kind: 'date', value: d[0] }, text: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const n = /[\d.]/.test(c) || (/[+-]/.test(c) && /[\d.]/.test(soql[i + 1] ?? '')) ? NUMBER.exec(rest) : null;
    if (n) {
      tokens.push({ kind: 'literal', value: { kind: 'number', value: Number(n[0]) }, text: n[0], pos: i });
      i += n[0].length;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'punct', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if ('=<>(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      const upper = id[0].toUpperCase();
      const pos = i;
      i += id[0].length;
      if (upper === 'TRUE' || upper === 'FALSE') tokens.push({ kind: 'literal', value: { kind: 'boolean', value: upper === 'TRUE' }, text: id[0], pos });
      else if (upper === 'NULL') tokens.push({ kind: 'literal', value: { kind: 'null' }, text: id[0], pos });
      else tokens.push({ kind: 'ident', text: id[0], pos });
      continue;
    }
    throw new SoqlSyntaxError({ errorCode: 'MALFORMED_QUERY', detail: `unexpected token: '${c}'`, pos: i });
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: soql.length });
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }
  private next(): Token {
    return this.tokens[this.i++];
  }
  private isKeyword(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private keyword(word: string): Token {
    const t = this.next();
    if (!this.isKeyword(word, t)) unexpected(t);
    return t;
  }
  private punct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) unexpected(t);
  }
  private field(): FieldPath {
    const t = this.next();
    if (t.kind !== 'ident') return unexpected(t);
    return { path: t.text, pos: t.pos };
  }
  private integer(): number {
    const t = this.next();
    if (t.kind !== 'literal' || t.value.kind !== 'number' || !Number.isInteger(t.value.value) || t.value.value < 0) return unexpected(t);
    return t.value.value;
  }

  parse(): SoqlQuery {
    this.keyword('SELECT');
    let select: SoqlQuery['select'];
    if (this.isKeyword('COUNT') && this.tokens[this.i + 1]?.text === '(') {
      this.next();
      this.punct('(');
      this.punct(')');
      select = { kind: 'count' };
    } else {
      const fields = [this.field()];
      while (this.peek().text === ',') {
        this.next();
        fields.push(this.field());
      }
      select = { kind: 'fields', fields };
    }
    this.keyword('FROM');
    const fromToken = this.next();
    if (fromToken.kind !== 'ident' || fromToken.text.includes('.')) return unexpected(fromToken);
    let where: SoqlCondition | undefined;
    if (this.isKeyword('WHERE')) {
      this.next();
      where = this.orExpression();
    }
    const orderBy: SoqlOrder[] = [];
    if (this.isKeyword('ORDER')) {
      this.next();
      this.keyword('BY');
      do {
        if (orderBy.length > 0) this.next();
        const field = this.field();
        let descending = false;
        if (this.isKeyword('ASC') || this.isKeyword('DESC')) descending = this.next().text.toUpperCase() === 'DESC';
        let nullsLast = descending;
        if (this.isKeyword('NULLS')) {
          this.next();
          const t = this.next();
          if (!this.isKeyword('FIRST', t) && !this.isKeyword('LAST', t)) unexpected(t);
          nullsLast = t.text.toUpperCase() === 'LAST';
        }
        orderBy.push({ field, descending, nullsLast });
      } while (this.peek().text === ',');
    }
    let limit: number | undefined;
    let offset: number | undefined;
    if (this.isKeyword('LIMIT')) {
      this.next();
      limit = this.integer();
    }
    if (this.isKeyword('OFFSET')) {
      const t = this.next();
      offset = this.integer();
      if (offset > 2000) throw new SoqlSyntaxError({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', detail: 'Maximum SOQL offset allowed is 2000', pos: t.pos });
    }
    if (this.peek().kind !== 'eof') unexpected(this.peek());
    return { select, from: { name: fromToken.text, pos: fromToken.pos }, ...(where ? { where } : {}), orderBy, ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
  }

  /** `a AND b AND c` or `a OR b OR c`; mixing needs parentheses. */
  private orExpression(): SoqlCondition {
    const first = this.unary();
    const joiner = this.isKeyword('AND') ? 'AND' : this.isKeyword('OR') ? 'OR' : undefined;
    if (!joiner) return first;
    const items = [first];
    while (this.isKeyword(joiner)) {
      this.next();
      items.push(this.unary());
    }
    if (this.isKeyword('AND') || this.isKeyword('OR')) unexpected(this.peek());
    return { kind: joiner === 'AND' ? 'and' : 'or', items };
  }

  private unary(): SoqlCondition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', item: this.unary() };
    }
    if (this.peek().text === '(') {
      this.next();
      const inner = this.orExpression();
      this.punct(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): SoqlCondition {
    const field = this.field();
    const t = this.next();
    if (this.isKeyword('IN', t) || (this.isKeyword('NOT', t) && this.isKeyword('IN'))) {
      const negated = this.isKeyword('NOT', t);
      if (negated) this.next();
      const open = this.peek();
      this.punct('(');
      const values: SoqlLiteral[] = [];
      do {
        if (values.length > 0) this.next();
        const v = this.next();
        if (v.kind !== 'literal') return unexpected(v);
        values.push(v.value);
      } while (this.peek().text === ',');
      this.punct(')');
      return { kind: 'in', field, negated, values, valuePos: open.pos };
    }
    let op: CompareOp;
    if (this.isKeyword('LIKE', t)) op = 'like';
    else if (t.kind === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)) op = t.text as CompareOp;
    else return unexpected(t);
    const v = this.next();
    if (v.kind !== 'literal') return unexpected(v);
    return { kind: 'compare', field, op, value: v.value, valuePos: v.pos };
  }
}

export function parseSoql(soql: string): SoqlParse {
  try {
    return { ok: true, query: new Parser(tokenize(soql)).parse() };
  } catch (e) {
    if (e instanceof SoqlSyntaxError) return { ok: false, error: e.error };
    throw e;
  }
}

/** Salesforce's query error text: the line, a caret, `ERROR at Row:r:Column:c`, then the detail. */
export function formatSoqlError(soql: string, error: SoqlError): string {
  const before = soql.slice(0, error.pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = error.pos - lineStart + 1;
  const lineEnd = soql.indexOf('\n', lineStart);
  const line = soql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${error.detail}`;
}

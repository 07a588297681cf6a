import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { ZodType } from 'zod';
import { error, type Diagnostic, type Location } from '../diagnostics/diagnostic.js';
import { hasEnvReference, interpolateEnv } from './interpolate-env.js';
import { zodIssueDiagnostic } from './zod-diagnostics.js';

export type YamlPath = readonly (string | number)[];

/** An env variable a file needs; an error only for a command that uses the value at `path`. */
export interface EnvUse {
  readonly path: YamlPath;
  readonly variable: string;
  readonly at: Location;
}

/** One parsed YAML file: its data, where each node is, and what it needs from the environment. */
export class YamlFile {
  private constructor(
    readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
    readonly envUses: readonly EnvUse[],
  ) {}

  static parse(file: string, text: string, env: Readonly<Record<string, string | undefined>>): { yaml: YamlFile; diagnostics: Diagnostic[] } {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const diagnostics: Diagnostic[] = [];
    for (const problem of [...document.errors, ...document.warnings]) {
      // With prettyErrors off the parser leaves `linePos` unset; the offset in `pos` is always there.
      const { line, col } = problem.linePos?.[0] ?? lines.linePos(problem.pos[0]);
      const message = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      diagnostics.push(error('yaml-syntax', message, { file, line, col }, 'check indentation, quotes and colons'));
    }
    const envUses: EnvUse[] = [];
    visit(document, {
      Scalar(_key, node, ancestry) {
        if (typeof node.value !== 'string' || !hasEnvReference(node.value)) return;
        const { value, missing } = interpolateEnv(node.value, env);
        const path = pathOf(ancestry);
        const at = position(file, lines, node);
        for (const m of missing) envUses.push({ path, variable: m.variable, at });
        node.value = value;
      },
    });
    return { yaml: new YamlFile(file, document, lines, envUses), diagnostics };
  }

  get data(): unknown {
    return this.document.toJS();
  }

  /** Validates the data; every issue becomes a positioned diagnostic. */
  validate<T>(schema: ZodType<T>): { value?: T; diagnostics: Diagnostic[] } {
    const data = this.data ?? {};
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data, diagnostics: [] };
    const diagnostics = result.error.issues.map((issue) => zodIssueDiagnostic(issue, this, schema));
    // Unknown keys are reported, then dropped, so the rest of the project can still be checked.
    let pruned: unknown = data;
    for (let attempt = 0; attempt < 5; attempt++) {
      const retry = schema.safeParse(pruned);
      if (retry.success) return { value: retry.data, diagnostics };
      const unknown = retry.error.issues.filter((i) => i.code === 'unrecognized_keys');
      if (unknown.length === 0 || unknown.length !== retry.error.issues.length) break;
      pruned = structuredClone(pruned);
      for (const issue of unknown) {
        const parent = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], pruned);
        for (const key of issue.keys) delete (parent as Record<string, unknown>)[key];
      }
    }
    return { diagnostics };
  }

  /** Where the node at `path` is; with `key`, where its key is. Falls back to the nearest ancestor. */
  locate(path: YamlPath, options: { key?: boolean } = {}): Location {
    let node: unknown = this.document.contents;
    let found: Location = { file: this.file, line: 1, col: 1 };
    if (isNode(node)) found = position(this.file, this.lines, node);
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return found;
        if (last && options.key && isNode(pair.key)) return position(this.file, this.lines, pair.key);
        node = pair.value;
        const at = isNode(pair.value) ? pair.value : pair.key;
        if (isNode(at)) found = position(this.file, this.lines, at);
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        if (isNode(node)) found = position(this.file, this.lines, node);
        else return found;
      } else {
        return found;
      }
    }
    return found;
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

function position(file: string, lines: LineCounter, node: Node): Location {
  const offset = node.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}

function pathOf(ancestry: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i < ancestry.length; i++) {
    const item = ancestry[i];
    if (isSeq(item)) {
      const child = ancestry[i + 1];
      if (child !== undefined) path.push(item.items.indexOf(child as never));
    } else if (typeof item === 'object' && item !== null && 'key' in item && 'value' in item) {
      const key = (item as { key: unknown }).key;
      if (isScalar(key)) path.push(String(key.value));
    }
  }
  return path;
}

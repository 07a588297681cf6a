import { locate, type LoadedProject, type Origin } from '../../config/load-project.js';
import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import { selectModels } from '../../model/compile-models.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

const kinds = ['model', 'source', 'trait', 'segment', 'sync'] as const;
type Kind = (typeof kinds)[number];

/** One thing the project declares, as `cdp ls` prints it (keys are snake_case: they are --json output). */
export interface ListedResource {
  readonly kind: Kind;
  readonly name: string;
  readonly file: string;
  readonly line?: number;
  /** What it is, in a few words: a model's materialization, a source's relation, a trait's aggregate, ... */
  readonly detail: string;
}

export const lsCommand: CliCommand = {
  name: 'ls',
  description: 'list the models, sources, traits, segments and syncs the project declares',
  options: [
    {
      flags: '-s, --select <selectors...>',
      description: "only these: 'name', 'kind:name' (model, source, trait, segment, sync), '*' wildcards, 'model+' / '+model' for a model's downstream / upstream",
    },
  ],
  async run(ctx, _args, options) {
    const project = await ctx.project();
    const all = resources(project);
    const selectors = (options.select as string[] | undefined) ?? [];
    const chosen = selectors.length ? select(project, all, selectors) : all;
    const width = Math.max(0, ...chosen.map((r) => r.name.length));
    for (const r of chosen) ctx.reporter.info(`${r.kind.padEnd(7)}  ${r.name.padEnd(width)}  ${r.detail}  ${r.file}${r.line ? `:${r.line}` : ''}`);
    ctx.reporter.summary({ resources: chosen });
    return ExitCode.ok;
  },
};

function resources(project: LoadedProject): ListedResource[] {
  const at = (origin: Origin) => {
    const where = locate(origin);
    return { file: where.file ?? origin.file.file, ...(where.line ? { line: where.line } : {}) };
  };
  return [
    ...project.models.map((m) => ({ kind: 'model' as const, name: m.name, detail: m.materialized, ...at(m.origin) })),
    ...project.sources.map((s) => ({
      kind: 'source' as const,
      name: s.name,
      detail: s.table !== undefined ? `table ${s.table}` : s.model !== undefined ? `model ${s.model}` : `path ${s.path ?? ''}`,
      ...at(s.origin),
    })),
    ...project.traits.map((t) => ({
      kind: 'trait' as const,
      name: t.name,
      detail: t.sql !== undefined ? `sql ${t.sql}` : `${t.aggregate ?? ''}(${t.column ?? ''}) from ${t.from ?? ''}${t.window ? ` within ${t.window}` : ''}`,
      ...at(t.origin),
    })),
    ...project.segments.map((s) => ({ kind: 'segment' as const, name: s.name, detail: `where ${s.where}`, ...at(s.origin) })),
    ...project.syncs.map((s) => ({ kind: 'sync' as const, name: s.sync, detail: `${s.destination} ${s.object} (${s.mode})`, ...at(s.origin) })),
  ];
}

/** Everything any selector matches, in listing order; a selector that matches nothing is an error (exit 2). */
function select(project: LoadedProject, all: readonly ListedResource[], selectors: readonly string[]): ListedResource[] {
  const keep = new Set<ListedResource>();
  const problems = [];
  for (const selector of selectors) {
    const colon = selector.indexOf(':');
    const kind = colon > 0 ? selector.slice(0, colon) : undefined;
    const pattern = colon > 0 ? selector.slice(colon + 1) : selector;
    if (kind !== undefined && !(kinds as readonly string[]).includes(kind)) {
      problems.push(error('invalid-option', `--select '${selector}': '${kind}' is not a kind`, {}, suggestion(kind, kinds) ?? `use one of: ${kinds.join(', ')}`));
      continue;
    }
    const graph = /^\+|\+$/.test(pattern) && (kind === undefined || kind === 'model');
    const models = graph ? selectModels(project, [pattern]) : undefined;
    const name = glob(pattern.replace(/^\+|\+$/g, ''));
    const found = all.filter((r) => (kind === undefined || r.kind === kind) && (models ? r.kind === 'model' && models.has(r.name) : name.test(r.name)));
    if (found.length === 0) {
      const names = all.filter((r) => kind === undefined || r.kind === kind).map((r) => r.name);
      problems.push(error('unknown-name', `--select '${selector}' matches nothing`, {}, suggestion(pattern.replace(/^\+|\+$/g, ''), names)));
    }
    for (const r of found) keep.add(r);
  }
  if (problems.length) throw new ProjectError(problems);
  return all.filter((r) => keep.has(r));
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

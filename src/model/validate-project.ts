import { locate, type Declared, type LoadedProject } from '../config/load-project.js';
import type { SourceConfig, SyncConfig } from '../config/schema.js';
import { isAccountTrait, syncEntity } from '../config/sync-entity.js';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { dialects } from '../engines/dialects.js';
import { findCycle } from './find-cycle.js';
import { accountNames, validateAccountSync, validatePersonSyncAccounts } from './validate-account-syncs.js';
import { validateAccounts } from './validate-accounts.js';
import { validateSourceChanges } from './validate-source-changes.js';
import { sqlNames } from './sql-names.js';
import { templateCalls } from './templates.js';

/**
 * Checks what the schemas cannot: names resolve, the graph has no cycles, connectors point at
 * real destinations, traits and segments. Returns every problem; never throws.
 */
export function validateProject(project: LoadedProject): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Names of parts that failed their schema count as declared: that part's error is reported once.
  const invalid = project.invalidNames;
  const modelNames = new Set([...project.models.map((m) => m.name), ...(invalid?.models ?? [])]);
  const sourceNames = new Set([...project.sources.map((s) => s.name), ...(invalid?.sources ?? [])]);
  const traitNames = new Set([...project.traits.map((t) => t.name), ...(invalid?.traits ?? [])]);
  const segmentNames = new Set([...project.segments.map((s) => s.name), ...(invalid?.segments ?? [])]);

  duplicates(project.models, 'model', out);
  duplicates(project.sources, 'source', out);
  duplicates([...project.traits, ...project.segments], 'trait or segment', out);
  duplicates(project.syncs.map((s) => ({ ...s, name: s.sync })), 'sync', out);

  // models: refs resolve, no cycles
  const refs = new Map<string, string[]>();
  for (const model of project.models) {
    const deps: string[] = [];
    for (const call of templateCalls(model.sql)) {
      if (call.kind === 'invalid') {
        out.push(error('invalid-template', `cannot read ${call.text}`, locate(model.origin, 'sql'), "use {{ ref('model') }} or {{ source('schema', 'table') }}"));
      } else if (call.kind === 'ref') {
        const source = project.sources.find((s) => s.name === call.name);
        if (modelNames.has(call.name)) deps.push(call.name);
        else if (source?.model !== undefined) {
          out.push(error('unknown-ref', `model '${model.name}' refers to source '${call.name}', which is itself built from a model`, locate(model.origin, 'sql'), `ref('${source.model}') instead`));
        } else if (!source) {
          out.push(error('unknown-ref', `model '${model.name}' refers to unknown model '${call.name}'`, locate(model.origin, 'sql'), suggestion(call.name, [...modelNames, ...sourceNames])));
        }
      }
    }
    refs.set(model.name, deps);
  }
  const modelCycle = findCycle(modelNames, (m) => refs.get(m) ?? []);
  if (modelCycle) {
    const first = project.models.find((m) => m.name === modelCycle[0]);
    out.push(error('cycle', `models depend on each other in a cycle: ${modelCycle.join(' -> ')}`, first ? locate(first.origin, 'sql') : {}, 'remove one of these refs'));
  }

  // sources
  const warehouseType = project.config.warehouse.type;
  const idTypes = new Set(Object.keys(project.identity?.id_types ?? {}));
  for (const source of project.sources) {
    if (source.model !== undefined && !modelNames.has(source.model)) {
      out.push(error('unknown-ref', `source '${source.name}' reads unknown model '${source.model}'`, locate(source.origin, 'model'), suggestion(source.model, modelNames)));
    }
    if (source.path !== undefined && !dialects[warehouseType].capabilities.readsFiles) {
      out.push(error('unsupported', `source '${source.name}' reads files (path:), which ${warehouseType} cannot`, locate(source.origin, 'path'), `load the files into a ${warehouseType} table and use table:`));
    }
    if (source.entity === 'account') continue; // validate-accounts.ts
    source.identifiers.forEach((id, i) => {
      if (project.identity && !idTypes.has(id.type)) {
        const at = source.origin.file.locate([...source.origin.path, 'identifiers', i, 'type']);
        out.push(error('unknown-id-type', `identifier type '${id.type}' is not declared in identity.id_types`, at, suggestion(id.type, idTypes) ?? `declare it under identity.id_types`));
      }
    });
    if (source.identifiers.length > 0 && !project.identity && !invalid?.identity) {
      out.push(error('missing-identity', `source '${source.name}' has identifiers but the project has no identity: block`, locate(source.origin, 'identifiers'), 'add identity: { id_types: ... } to a models file'));
    }
  }

  // traits
  const sourceByName = new Map(project.sources.map((s) => [s.name, s]));
  const traitDeps = new Map<string, string[]>();
  for (const trait of project.traits) {
    if (trait.sql !== undefined) {
      if (trait.from !== undefined || trait.aggregate !== undefined) {
        out.push(error('invalid-trait', `trait '${trait.name}' has both sql: and from:/aggregate:`, locate(trait.origin), 'a trait is either an aggregate over a source or sql: over other traits'));
      }
      const names = sqlNames(trait.sql);
      traitDeps.set(trait.name, names.filter((n) => traitNames.has(n)));
      for (const n of names) {
        if (!traitNames.has(n) && !segmentNames.has(n)) unknownName(n, `trait '${trait.name}'`, [...traitNames], locate(trait.origin, 'sql'), out);
      }
      continue;
    }
    if (trait.from === undefined || trait.aggregate === undefined) {
      out.push(error('invalid-trait', `trait '${trait.name}' needs from: and aggregate:, or sql:`, locate(trait.origin), "e.g. { from: orders, aggregate: sum, column: amount }"));
      continue;
    }
    if (!sourceNames.has(trait.from)) {
      out.push(error('unknown-source', `trait '${trait.name}' reads unknown source '${trait.from}'`, locate(trait.origin, 'from'), suggestion(trait.from, sourceNames)));
      continue;
    }
    const needsColumn = trait.aggregate !== 'count' && trait.aggregate !== 'exists';
    if (needsColumn && trait.column === undefined) {
      out.push(error('invalid-trait', `trait '${trait.name}' (${trait.aggregate}) needs column:`, locate(trait.origin), undefined));
    }
    const source = sourceByName.get(trait.from) as Declared<SourceConfig> | undefined;
    if (!source) continue;
    if (source.entity === 'account') {
      out.push(error('wrong-entity', `trait '${trait.name}' reads account source '${source.name}'; person traits read person sources`, locate(trait.origin, 'from'), 'declare it under accounts.traits instead'));
    }
    // first/last order the source's rows by time, and a window counts back from it: without `timestamp:` the
    // trait would compile to an ordering by nothing. Reported where the trait asks for it.
    const ordered = trait.aggregate === 'first' || trait.aggregate === 'last';
    if ((ordered || trait.window !== undefined) && source.timestamp === undefined) {
      const why = ordered ? `aggregate: ${trait.aggregate} takes the ${trait.aggregate} value by time` : 'window: counts back in time';
      const at = locate(source.origin);
      out.push(
        error(
          'missing-timestamp',
          `trait '${trait.name}' needs a timestamp (${why}), but source '${source.name}' declares none`,
          locate(trait.origin, ordered ? 'aggregate' : 'window'),
          `add timestamp: <column> to source '${source.name}' (${at.file}:${at.line}:${at.col})`,
        ),
      );
    }
  }
  const traitCycle = findCycle(traitDeps.keys(), (t) => traitDeps.get(t) ?? []);
  if (traitCycle) {
    const first = project.traits.find((t) => t.name === traitCycle[0]);
    out.push(error('cycle', `derived traits depend on each other in a cycle: ${traitCycle.join(' -> ')}`, first ? locate(first.origin, 'sql') : {}, undefined));
  }

  // segments
  const segmentDeps = new Map<string, string[]>();
  for (const segment of project.segments) {
    const names = sqlNames(segment.where);
    segmentDeps.set(segment.name, names.filter((n) => segmentNames.has(n)));
    for (const n of names) {
      if (!traitNames.has(n) && !segmentNames.has(n)) unknownName(n, `segment '${segment.name}'`, [...traitNames, ...segmentNames], locate(segment.origin, 'where'), out);
    }
  }
  const segmentCycle = findCycle(segmentDeps.keys(), (s) => segmentDeps.get(s) ?? []);
  if (segmentCycle) {
    const first = project.segments.find((s) => s.name === segmentCycle[0]);
    out.push(error('cycle', `segments depend on each other in a cycle: ${segmentCycle.join(' -> ')}`, first ? locate(first.origin, 'where') : {}, undefined));
  }

  out.push(...validateAccounts(project, { sources: sourceNames, traits: traitNames, segments: segmentNames }));
  out.push(...validateSourceChanges(project));
  // Account syncs read accounts, not profiles (docs/accounts-sync.md); person syncs may also take account traits.
  const accounts = accountNames(project);
  for (const sync of project.syncs) {
    if (syncEntity(sync).kind === 'account') {
      validateAccountSync(project, sync, accounts, out);
      continue;
    }
    validateSync(project, sync, traitNames, segmentNames, out);
    validatePersonSyncAccounts(project, sync, accounts, out);
  }
  return out;
}

function validateSync(project: LoadedProject, sync: Declared<SyncConfig>, traits: Set<string>, segments: Set<string>, out: Diagnostic[]): void {
  const destinations = project.config.destinations;
  const destination = destinations[sync.destination];
  const at = (...path: (string | number)[]) => sync.origin.file.locate(path);
  if (!destination && !project.invalidNames?.destinations.has(sync.destination)) {
    out.push(error('unknown-destination', `sync '${sync.sync}' uses unknown destination '${sync.destination}'`, at('destination'), suggestion(sync.destination, Object.keys(destinations)) ?? `declare it under destinations: in cdp.config.yaml`));
  }
  if (sync.audience !== 'all' && !segments.has(sync.audience)) {
    out.push(error('unknown-segment', `audience '${sync.audience}' is not a segment`, at('audience'), suggestion(sync.audience, segments) ?? "use 'all' or a segment name"));
  }
  const match = sync.match;
  if (match.trait !== undefined && !traits.has(match.trait)) {
    out.push(error('unknown-trait', `match trait '${match.trait}' is not a trait`, at('match', 'trait'), suggestion(match.trait, traits)));
  }
  const idTypes = Object.keys(project.identity?.id_types ?? {});
  const sameType = match.trait !== undefined ? idTypes.find((t) => t === match.trait || t === match.field?.toLowerCase()) : undefined;
  if (sameType !== undefined) {
    out.push(
      warning(
        'match-from-trait',
        `match takes the key from trait '${match.trait}', which can carry values identity blocklisted or several people share`,
        at('match', 'trait'),
        `use match: { id_type: ${sameType}${match.field !== undefined && match.field !== sameType ? `, field: ${match.field}` : ''} }; see docs/guarantees.md`,
      ),
    );
  }
  if (match.id_type !== undefined) {
    if (!idTypes.includes(match.id_type)) {
      out.push(error('unknown-id-type', `match id_type '${match.id_type}' is not declared in identity.id_types`, at('match', 'id_type'), suggestion(match.id_type, idTypes) ?? 'declare it under identity.id_types'));
    }
  }
  for (const [field, trait] of Object.entries(sync.fields)) {
    if (!traits.has(trait) && !isAccountTrait(trait)) out.push(error('unknown-trait', `field '${field}' maps unknown trait '${trait}'`, at('fields', field), suggestion(trait, traits)));
  }
  for (const [segment, target] of Object.entries(sync.segments)) {
    if (!segments.has(segment)) {
      out.push(error('unknown-segment', `'${segment}' is not a segment`, sync.origin.file.locate(['segments', segment], { key: true }), suggestion(segment, segments)));
    }
    if (destination?.type === 'hubspot' && 'campaign' in target) {
      out.push(error('invalid-target', `HubSpot has no campaigns; use { list: ... } or { field: ... }`, at('segments', segment), undefined));
    }
    if (destination?.type === 'salesforce' && 'list' in target) {
      out.push(error('invalid-target', `Salesforce has no lists; use { campaign: ... } or { field: ... }`, at('segments', segment), undefined));
    }
  }
  for (const field of Object.keys(sync.ownership)) {
    if (!(field in sync.fields)) {
      const fields = Object.keys(sync.fields);
      out.push(error('unknown-field', `ownership names '${field}', which this sync does not write`, sync.origin.file.locate(['ownership', field], { key: true }), suggestion(field, fields) ?? `fields: ${fields.join(', ') || '(none)'}`));
    }
  }
  if (Object.keys(sync.ownership).length > 0 && !sync.drift) {
    out.push(warning('ownership-without-drift', `ownership only takes effect with drift: true (cdp reads the CRM's edits before each sync)`, at('ownership'), 'add drift: true to the connector'));
  }
  if (sync.where !== undefined) {
    for (const n of sqlNames(sync.where)) {
      if (!traits.has(n) && !segments.has(n)) unknownName(n, `sync '${sync.sync}' where`, [...traits, ...segments], at('where'), out);
    }
  }
}

function unknownName(name: string, where: string, known: string[], at: ReturnType<typeof locate>, out: Diagnostic[]): void {
  const hint = suggestion(name, known);
  // A close match is almost surely a typo; anything else may be a column or function we cannot see.
  if (hint) out.push(error('unknown-trait', `${where} refers to '${name}', which is not a trait or segment`, at, hint));
  else out.push(warning('unknown-name', `${where} refers to '${name}', which is not a trait or segment`, at, 'fine if it is SQL the warehouse knows'));
}

function duplicates<T extends { name: string; origin: Declared<object>['origin'] }>(items: readonly T[], kind: string, out: Diagnostic[]): void {
  const seen = new Map<string, T>();
  for (const item of items) {
    const first = seen.get(item.name);
    if (first) out.push(error('duplicate-name', `${kind} '${item.name}' is declared twice`, locate(item.origin), `first declared in ${first.origin.file.file}:${locate(first.origin).line}`));
    else seen.set(item.name, item);
  }
}

import type { LoadedProject } from '../config/load-project.js';
import { error, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { findCycle } from './find-cycle.js';
import { sqlNames } from './sql-names.js';

/** The person-side names an `accounts:` block may refer to (parts that failed their schema count as declared). */
export interface PersonNames {
  readonly sources: ReadonlySet<string>;
  readonly traits: ReadonlySet<string>;
  readonly segments: ReadonlySet<string>;
}

/**
 * Checks the account entity (docs/accounts.md): account sources' identifier types, membership rules,
 * account traits (aggregates over account sources, roll-ups over person traits and segments, derived)
 * and account segments. Every problem has the position of the key at fault.
 */
export function validateAccounts(project: LoadedProject, person: PersonNames): Diagnostic[] {
  const out: Diagnostic[] = [];
  const accounts = project.accounts;
  const accountSources = project.sources.filter((s) => s.entity === 'account');
  if (!accounts) {
    for (const source of accountSources) {
      out.push(error('missing-accounts', `source '${source.name}' is an account source but the project has no accounts: block`, source.origin.file.locate([...source.origin.path, 'entity']), 'add accounts: { id_types: ... } to a models file (docs/accounts.md)'));
    }
    return out;
  }
  const at = (...path: (string | number)[]) => accounts.origin.file.locate([...accounts.origin.path, ...path]);
  if (!project.identity && !project.invalidNames?.identity) {
    out.push(error('missing-identity', 'accounts are built from persons (membership, roll-ups), but the project has no identity: block', at(), 'add identity: { id_types: ... } and person sources with identifiers'));
  }
  const idTypes = Object.keys(accounts.id_types);
  for (const [name, spec] of Object.entries(accounts.id_types)) {
    for (const key of ['max_per_profile', 'link_window'] as const) {
      if (spec[key] !== undefined) {
        out.push(warning('not-enforced', `accounts.id_types.${name}.${key} is not enforced on accounts yet; it has no effect`, at('id_types', name, key), 'remove it, or use max_profile_size to watch for over-merged accounts (docs/accounts.md)'));
      }
    }
  }
  for (const source of accountSources) {
    source.identifiers.forEach((id, i) => {
      if (!idTypes.includes(id.type)) {
        const where = source.origin.file.locate([...source.origin.path, 'identifiers', i, 'type']);
        out.push(error('unknown-id-type', `identifier type '${id.type}' is not declared in accounts.id_types`, where, suggestion(id.type, idTypes) ?? 'declare it under accounts.id_types'));
      }
    });
  }

  const sourceByName = new Map(project.sources.map((s) => [s.name, s]));
  accounts.membership.forEach((rule, i) => {
    if ('email_domain' in rule) {
      if (!idTypes.some((t) => (accounts.id_types[t]?.normalize ?? (t === 'domain' ? 'domain' : undefined)) === 'domain')) {
        out.push(error('missing-domain-type', 'membership by email_domain needs an account identifier type normalised as a domain', at('membership', i), 'add domain: { normalize: domain } under accounts.id_types'));
      }
      return;
    }
    const source = sourceByName.get(rule.source);
    if (!source) {
      if (!person.sources.has(rule.source)) out.push(error('unknown-source', `membership reads unknown source '${rule.source}'`, at('membership', i, 'source'), suggestion(rule.source, person.sources)));
    } else if (source.entity === 'account') {
      out.push(error('wrong-entity', `membership reads '${rule.source}', an account source; membership reads person sources`, at('membership', i, 'source'), 'name a person source whose rows carry an account id'));
    } else if (source.identifiers.length === 0) {
      out.push(error('invalid-membership', `membership source '${rule.source}' has no identifiers, so its rows belong to no person`, at('membership', i, 'source'), 'add identifiers: to the source'));
    }
    if (!idTypes.includes(rule.id_type)) {
      out.push(error('unknown-id-type', `membership id_type '${rule.id_type}' is not declared in accounts.id_types`, at('membership', i, 'id_type'), suggestion(rule.id_type, idTypes) ?? 'declare it under accounts.id_types'));
    }
  });

  const traitNames = new Set(accounts.traits.map((t) => t.name));
  const segmentNames = new Set(accounts.segments.map((s) => s.name));
  const seen = new Set<string>();
  [...accounts.traits, ...accounts.segments].forEach((item, i) => {
    if (seen.has(item.name)) {
      const path = i < accounts.traits.length ? ['traits', i] : ['segments', i - accounts.traits.length];
      out.push(error('duplicate-name', `account trait or segment '${item.name}' is declared twice`, at(...path, 'name'), undefined));
    }
    seen.add(item.name);
  });
  const derivedDeps = new Map<string, string[]>();
  accounts.traits.forEach((trait, i) => {
    const kinds = [trait.sql !== undefined, trait.from !== undefined, trait.rollup !== undefined].filter(Boolean).length;
    if (kinds !== 1) {
      out.push(error('invalid-trait', `account trait '${trait.name}' needs exactly one of from: (with aggregate:), rollup: or sql:`, at('traits', i), 'e.g. { from: subscriptions, aggregate: sum, column: mrr } or { rollup: count }'));
      return;
    }
    if (trait.sql !== undefined) {
      const names = sqlNames(trait.sql);
      derivedDeps.set(trait.name, names.filter((n) => traitNames.has(n)));
      for (const n of names) {
        if (traitNames.has(n)) continue;
        const hint = suggestion(n, traitNames);
        if (hint) out.push(error('unknown-trait', `account trait '${trait.name}' refers to '${n}', which is not an account trait`, at('traits', i, 'sql'), hint));
        else out.push(warning('unknown-name', `account trait '${trait.name}' refers to '${n}', which is not an account trait`, at('traits', i, 'sql'), 'fine if it is SQL the warehouse knows'));
      }
      return;
    }
    if (trait.from !== undefined) {
      const source = sourceByName.get(trait.from);
      if (!source) {
        if (!person.sources.has(trait.from)) out.push(error('unknown-source', `account trait '${trait.name}' reads unknown source '${trait.from}'`, at('traits', i, 'from'), suggestion(trait.from, accountSources.map((s) => s.name))));
        return;
      }
      if (source.entity !== 'account') {
        out.push(error('wrong-entity', `account trait '${trait.name}' reads person source '${trait.from}'; account aggregates read account sources`, at('traits', i, 'from'), 'add entity: account to the source, or roll up a person trait with rollup:'));
      }
      if (trait.aggregate === undefined) out.push(error('invalid-trait', `account trait '${trait.name}' needs aggregate:`, at('traits', i), undefined));
      else if (trait.aggregate !== 'count' && trait.aggregate !== 'exists' && trait.column === undefined) {
        out.push(error('invalid-trait', `account trait '${trait.name}' (${trait.aggregate}) needs column:`, at('traits', i), undefined));
      }
      if ((trait.window !== undefined || trait.aggregate === 'first' || trait.aggregate === 'last') && source.timestamp === undefined) {
        out.push(error('missing-timestamp', `account trait '${trait.name}' needs a timestamp, but source '${source.name}' declares none`, at('traits', i), 'add timestamp: <column> to the source'));
      }
      return;
    }
    // A roll-up over member persons.
    if (trait.rollup !== 'count' && trait.trait === undefined) {
      out.push(error('invalid-trait', `account trait '${trait.name}' (rollup: ${trait.rollup}) needs trait: (the person trait it reads)`, at('traits', i), "e.g. { rollup: sum, trait: lifetime_value }"));
    }
    if (trait.trait !== undefined && !person.traits.has(trait.trait)) {
      out.push(error('unknown-trait', `account trait '${trait.name}' rolls up '${trait.trait}', which is not a person trait`, at('traits', i, 'trait'), suggestion(trait.trait, person.traits) ?? 'declare it under traits:'));
    }
    if (trait.segment !== undefined && !person.segments.has(trait.segment)) {
      out.push(error('unknown-segment', `account trait '${trait.name}' counts members of '${trait.segment}', which is not a person segment`, at('traits', i, 'segment'), suggestion(trait.segment, person.segments) ?? 'declare it under segments:'));
    }
    if (trait.where !== undefined) {
      for (const n of sqlNames(trait.where)) {
        if (person.traits.has(n) || person.segments.has(n)) continue;
        const hint = suggestion(n, [...person.traits, ...person.segments]);
        if (hint) out.push(error('unknown-trait', `account trait '${trait.name}' filters on '${n}', which is not a person trait or segment`, at('traits', i, 'where'), hint));
      }
    }
  });
  const cycle = findCycle(derivedDeps.keys(), (t) => derivedDeps.get(t) ?? []);
  if (cycle) out.push(error('cycle', `derived account traits depend on each other in a cycle: ${cycle.join(' -> ')}`, at('traits'), undefined));

  accounts.segments.forEach((segment, i) => {
    for (const n of sqlNames(segment.where)) {
      if (traitNames.has(n) || segmentNames.has(n)) continue;
      const hint = suggestion(n, [...traitNames, ...segmentNames]);
      if (hint) out.push(error('unknown-trait', `account segment '${segment.name}' refers to '${n}', which is not an account trait or segment`, at('segments', i, 'where'), hint));
      else out.push(warning('unknown-name', `account segment '${segment.name}' refers to '${n}', which is not an account trait or segment`, at('segments', i, 'where'), 'fine if it is SQL the warehouse knows'));
    }
  });
  const segmentDeps = new Map(accounts.segments.map((s) => [s.name, sqlNames(s.where).filter((n) => segmentNames.has(n))]));
  const segmentCycle = findCycle(segmentDeps.keys(), (s) => segmentDeps.get(s) ?? []);
  if (segmentCycle) out.push(error('cycle', `account segments depend on each other in a cycle: ${segmentCycle.join(' -> ')}`, at('segments'), undefined));
  return out;
}

import type { FieldValue } from './field-spec.js';
import type { SaveError } from './salesforce-errors.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { SObjectSchema } from './schema-registry.js';

/** One active duplicate rule: a new record whose `fields` all equal a live record's (case-insensitively) is a duplicate. */
export interface DuplicateRule {
  readonly object: string;
  readonly fields: readonly string[];
}

/** `DUPLICATES_DETECTED` with the matching records, the shape the spec documents for a blocked save. */
export interface DuplicateError extends SaveError {
  readonly duplicateResult: Readonly<Record<string, unknown>>;
}

const norm = (v: FieldValue | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v).trim().toLowerCase());

/**
 * Duplicate rules, switched on per object through `POST /__sandbox/duplicate-rules`. Real orgs ship
 * standard rules for Contact, Lead and Account (fuzzy matching on name, email, company); the sandbox
 * matches exactly on the fields given. The rule acts on creates only and is bypassed by
 * `Sforce-Duplicate-Rule-Header: allowSave=true` (real rules whose action is "Block" are not
 * bypassable: UNCONFIRMED, the sandbox models "Alert" rules).
 */
export class DuplicateRules {
  private readonly rules = new Map<string, DuplicateRule>();

  set(rule: DuplicateRule): void {
    this.rules.set(rule.object.toLowerCase(), rule);
  }

  clear(): void {
    this.rules.clear();
  }

  all(): readonly DuplicateRule[] {
    return [...this.rules.values()];
  }

  /** The error for a record about to be created, when it duplicates a live one. */
  check(store: SalesforceStore, schema: SObjectSchema, values: Readonly<Record<string, FieldValue>>): DuplicateError | undefined {
    const rule = this.rules.get(schema.name.toLowerCase());
    if (!rule) return undefined;
    const wanted = rule.fields.map((f) => norm(values[schema.field(f)?.name ?? f]));
    if (wanted.some((w) => w === undefined)) return undefined;
    const matches = store.list(schema.name).filter((r) => rule.fields.every((f, i) => norm(r.values[schema.field(f)?.name ?? f]) === wanted[i]));
    if (matches.length === 0) return undefined;
    return {
      statusCode: 'DUPLICATES_DETECTED',
      message: 'Use one of these records?',
      fields: [],
      duplicateResult: {
        allowSave: true,
        duplicateRule: `Standard_${schema.name}_Duplicate_Rule`,
        duplicateRuleEntityType: schema.name,
        errorMessage: `You're creating a duplicate record. We recommend you use an existing record instead.`,
        matchResults: [
          {
            entityType: schema.name,
            errors: [],
            matchEngine: 'ExactMatchEngine',
            matchRecords: matches.map((m) => ({ additionalInformation: [], fieldDiffs: [], matchConfidence: 100, record: { attributes: { type: schema.name }, Id: m.id } })),
            rule: `Standard_${schema.name}_Match_Rule_v1_0`,
            size: matches.length,
            success: true,
          },
        ],
      },
    };
  }
}

/** `Sforce-Duplicate-Rule-Header: allowSave=true; ...` */
export function allowsDuplicates(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(';') : header ?? '';
  return /(^|[;,\s])allowSave\s*=\s*true\b/i.test(text);
}

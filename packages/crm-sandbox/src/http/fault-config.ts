import { z } from 'zod';

/**
 * Fault-injection settings shared by the sandboxes, as accepted from code and from
 * `POST /__sandbox/faults`. Every rule fires on requests it matches: on each one when it has neither
 * `probability` nor `count`, with `probability` (0–1, from the seeded PRNG), at most `count` times,
 * and only after `after` matching requests went through untouched.
 */
const trigger = {
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
  after: z.number().int().min(0).optional(),
  match: z
    .strictObject({
      method: z.string().optional(),
      /** A concrete path, a route template (`/crm/v3/objects/{objectType}/batch/upsert`) or a stats key path. */
      path: z.string().optional(),
      pathRegex: z.string().optional(),
    })
    .optional(),
};

const rateLimitRule = z.strictObject({
  kind: z.literal('rateLimit'),
  /** Service-specific flavour, e.g. HubSpot TEN_SECONDLY_ROLLING | SECONDLY | DAILY. */
  policy: z.string().optional(),
  ...trigger,
});
const serverErrorRule = z.strictObject({
  kind: z.literal('serverError'),
  status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
  message: z.string().optional(),
  ...trigger,
});
const delayRule = z.strictObject({
  kind: z.literal('delay'),
  ms: z.number().int().min(0).max(600_000),
  jitterMs: z.number().int().min(0).optional(),
  ...trigger,
});
const dropRule = z.strictObject({
  kind: z.literal('drop'),
  /** `afterHandling` applies the request (the write lands) and then destroys the socket unanswered. */
  when: z.enum(['beforeHandling', 'afterHandling']).default('beforeHandling'),
  ...trigger,
});

export const faultRuleSchema = z.discriminatedUnion('kind', [rateLimitRule, serverErrorRule, delayRule, dropRule]);

export const recordRejectionSchema = z.strictObject({
  /** The record field (HubSpot property, Salesforce field) whose value is tested. */
  field: z.string().min(1),
  pattern: z.string(),
  flags: z.string().regex(/^[imsu]*$/).optional(),
  /** Error code reported for the record; the service picks a realistic default. */
  code: z.string().optional(),
  /** Message template; `{value}` and `{field}` are replaced. */
  message: z.string().optional(),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
});

export const faultConfigSchema = z.strictObject({
  seed: z.number().int().optional(),
  rules: z.array(faultRuleSchema).default([]),
  rejectRecords: z.array(recordRejectionSchema).default([]),
});

/** What callers write (defaults may be left out). */
export type FaultConfigInput = z.input<typeof faultConfigSchema>;
/** The settled config. */
export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultRule = z.output<typeof faultRuleSchema>;
export type RecordRejectionRule = z.output<typeof recordRejectionSchema>;

export type FaultConfigParse =
  | { readonly ok: true; readonly config: FaultConfig }
  | { readonly ok: false; readonly issues: readonly string[] };

export function parseFaultConfig(input: unknown): FaultConfigParse {
  const parsed = faultConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  }
  const badRegex = [
    ...parsed.data.rules.flatMap((r, i) => (r.match?.pathRegex !== undefined ? [{ at: `rules.${i}.match.pathRegex`, source: r.match.pathRegex, flags: '' }] : [])),
    ...parsed.data.rejectRecords.map((r, i) => ({ at: `rejectRecords.${i}.pattern`, source: r.pattern, flags: r.flags ?? '' })),
  ].flatMap((p) => {
    try {
      new RegExp(p.source, p.flags);
      return [];
    } catch (e) {
      return [`${p.at}: ${e instanceof Error ? e.message : String(e)}`];
    }
  });
  return badRegex.length > 0 ? { ok: false, issues: badRegex } : { ok: true, config: parsed.data };
}

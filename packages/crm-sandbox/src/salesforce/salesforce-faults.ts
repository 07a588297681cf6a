import { z } from 'zod';
import type { FaultConfig, FaultConfigInput } from '../http/fault-config.js';
import { FaultConfigError, FaultInjector, type FaultDecision, type FaultRequest, type FaultState } from '../http/fault-injector.js';
import { createSeededRandom } from '../http/seeded-random.js';
import type { RecordFaultHooks } from './salesforce-dml.js';
import { recordErrors, type SaveError } from './salesforce-errors.js';

/** `rateLimit.policy` values: the limit named in the 403 message (`<policy> Limit exceeded.`). */
export const SALESFORCE_LIMIT_POLICIES = ['TotalRequests', 'ConcurrentPerOrgLongTxn'] as const;

const lockRowsSchema = z.strictObject({
  /** Records in the request (or Bulk job) must be more than this for the fault to apply. */
  above: z.number().int().min(0),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().min(0).optional(),
});

export type LockRowsConfig = z.output<typeof lockRowsSchema>;

/** The shared fault JSON plus Salesforce's own keys. */
export type SalesforceFaultInput = FaultConfigInput & {
  readonly lockRows?: LockRowsConfig;
  /** One-shot action: every issued access token stops working (next call → 401 INVALID_SESSION_ID). */
  readonly invalidateSessions?: boolean;
};

export interface SalesforceFaultState extends FaultState {
  readonly lockRows: (LockRowsConfig & { readonly fired: number }) | null;
}

/**
 * Fault injection for the Salesforce sandbox: request-level rules from the shared FaultInjector
 * (403 REQUEST_LIMIT_EXCEEDED storms, 5xx, delays, dropped connections), per-record rejections by
 * field regex, UNABLE_TO_LOCK_ROW above a batch size, and session invalidation.
 */
export class SalesforceFaults implements RecordFaultHooks {
  private readonly injector = new FaultInjector({ validate: validateSalesforceFaults });
  private lockRows: LockRowsConfig | undefined;
  private lockFired = 0;
  private random = createSeededRandom(2);

  constructor(private readonly onInvalidateSessions: () => void) {}

  /** Replaces every fault (throws FaultConfigError when invalid). `invalidateSessions` acts at once. */
  set(input: SalesforceFaultInput): SalesforceFaultState {
    return this.setFromJson(input);
  }

  setFromJson(input: unknown): SalesforceFaultState {
    const { lockRows, invalidateSessions, rest } = splitInput(input);
    const lock = lockRows === undefined ? undefined : lockRowsSchema.safeParse(lockRows);
    if (lock && !lock.success) throw new FaultConfigError(lock.error.issues.map((i) => `lockRows.${i.path.join('.')}: ${i.message}`));
    if (invalidateSessions !== undefined && typeof invalidateSessions !== 'boolean') throw new FaultConfigError(['invalidateSessions: expected boolean']);
    const state = this.injector.setFromJson(rest);
    this.lockRows = lock?.data;
    this.lockFired = 0;
    this.random = createSeededRandom(state.seed + 1);
    if (invalidateSessions === true) this.onInvalidateSessions();
    return this.state();
  }

  clear(): void {
    this.set({});
  }

  /** Ends every session now, without touching the other faults. */
  invalidateSessions(): void {
    this.onInvalidateSessions();
  }

  state(): SalesforceFaultState {
    return { ...this.injector.state(), lockRows: this.lockRows ? { ...this.lockRows, fired: this.lockFired } : null };
  }

  decide(request: FaultRequest): FaultDecision {
    return this.injector.decide(request);
  }

  rejection(field: string, value: string): SaveError | undefined {
    const hit = this.injector.rejectionFor(field, value);
    if (!hit) return undefined;
    return recordErrors.custom(hit.code ?? 'FIELD_CUSTOM_VALIDATION_EXCEPTION', hit.message ?? `Rejected by a sandbox validation rule: ${field} = ${value}`, [field]);
  }

  lockRow(batchSize: number): boolean {
    const rule = this.lockRows;
    if (!rule || batchSize <= rule.above) return false;
    if (rule.count !== undefined && this.lockFired >= rule.count) return false;
    if (rule.probability !== undefined && this.random() >= rule.probability) return false;
    this.lockFired++;
    return true;
  }
}

function splitInput(input: unknown): { lockRows: unknown; invalidateSessions: unknown; rest: unknown } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { lockRows: undefined, invalidateSessions: undefined, rest: input };
  const { lockRows, invalidateSessions, ...rest } = input as Record<string, unknown>;
  return { lockRows, invalidateSessions, rest };
}

function validateSalesforceFaults(config: FaultConfig): readonly string[] {
  return config.rules.flatMap((rule, i) =>
    rule.kind === 'rateLimit' && rule.policy !== undefined && !(SALESFORCE_LIMIT_POLICIES as readonly string[]).includes(rule.policy)
      ? [`rules.${i}.policy: must be one of ${SALESFORCE_LIMIT_POLICIES.join(', ')}`]
      : [],
  );
}

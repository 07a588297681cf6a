import { parseFaultConfig, type FaultConfig, type FaultConfigInput, type FaultRule, type RecordRejectionRule } from './fault-config.js';
import { createSeededRandom } from './seeded-random.js';

export interface FaultRequest {
  readonly method: string;
  readonly path: string;
  /** Other names of the same request a rule's `match.path` may use (route template, stats key). */
  readonly aliases?: readonly string[];
}

export type FaultAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'rateLimit'; readonly policy?: string }
  | { readonly kind: 'serverError'; readonly status: 500 | 502 | 503 | 504; readonly message?: string }
  | { readonly kind: 'drop'; readonly when: 'beforeHandling' | 'afterHandling' };

export interface FaultDecision {
  readonly delayMs: number;
  readonly action: FaultAction;
}

export interface RecordRejection {
  readonly field: string;
  readonly value: string;
  readonly code?: string;
  readonly message?: string;
}

export type FaultRuleState = FaultRule & { readonly seen: number; readonly fired: number };
export type RecordRejectionState = RecordRejectionRule & { readonly fired: number };

export interface FaultState {
  readonly seed: number;
  readonly rules: readonly FaultRuleState[];
  readonly rejectRecords: readonly RecordRejectionState[];
}

export class FaultConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid fault config: ${issues.join('; ')}`);
    this.name = 'FaultConfigError';
  }
}

interface Counters {
  seen: number;
  fired: number;
}

const DEFAULT_SEED = 1;

export interface FaultInjectorOptions {
  /** Service-specific checks (e.g. known rate-limit policies); returns problems, empty when fine. */
  readonly validate?: (config: FaultConfig) => readonly string[];
  readonly initial?: FaultConfigInput;
}

/**
 * Decides, per request, which injected fault (if any) applies. Deterministic for a given seed and
 * request sequence. Service-neutral: the sandbox renders each action in its own API's words.
 */
export class FaultInjector {
  private config: FaultConfig = { rules: [], rejectRecords: [] };
  private ruleCounters: Counters[] = [];
  private rejectCounters: Counters[] = [];
  private regexes: (RegExp | undefined)[] = [];
  private rejectRegexes: RegExp[] = [];
  private random = createSeededRandom(DEFAULT_SEED);

  constructor(private readonly options: FaultInjectorOptions = {}) {
    if (options.initial) this.set(options.initial);
  }

  /** Replaces every rule (and re-seeds the PRNG). Throws FaultConfigError on an invalid config. */
  set(input: FaultConfigInput): FaultState {
    return this.setFromJson(input);
  }

  /** Same as `set`, for a config that arrived as JSON (e.g. over the control endpoint). */
  setFromJson(input: unknown): FaultState {
    const parsed = parseFaultConfig(input);
    if (!parsed.ok) throw new FaultConfigError(parsed.issues);
    const problems = this.options.validate?.(parsed.config) ?? [];
    if (problems.length > 0) throw new FaultConfigError(problems);
    this.config = parsed.config;
    this.ruleCounters = this.config.rules.map(() => ({ seen: 0, fired: 0 }));
    this.rejectCounters = this.config.rejectRecords.map(() => ({ seen: 0, fired: 0 }));
    this.regexes = this.config.rules.map((r) => (r.match?.pathRegex !== undefined ? new RegExp(r.match.pathRegex) : undefined));
    this.rejectRegexes = this.config.rejectRecords.map((r) => new RegExp(r.pattern, r.flags ?? ''));
    this.random = createSeededRandom(this.config.seed ?? DEFAULT_SEED);
    return this.state();
  }

  clear(): void {
    this.set({});
  }

  state(): FaultState {
    return {
      seed: this.config.seed ?? DEFAULT_SEED,
      rules: this.config.rules.map((r, i) => ({ ...r, ...this.ruleCounters[i] })),
      rejectRecords: this.config.rejectRecords.map((r, i) => ({ ...r, fired: this.rejectCounters[i].fired })),
    };
  }

  /** Delay rules add up; the first terminal rule that fires wins, and later ones are not consulted. */
  decide(request: FaultRequest): FaultDecision {
    let delayMs = 0;
    let action: FaultAction = { kind: 'none' };
    this.config.rules.forEach((rule, i) => {
      if (rule.kind !== 'delay' && action.kind !== 'none') return;
      if (!this.matches(rule, i, request)) return;
      if (!this.fires(rule, this.ruleCounters[i])) return;
      switch (rule.kind) {
        case 'delay':
          delayMs += rule.ms + (rule.jitterMs ? Math.floor(this.random() * rule.jitterMs) : 0);
          break;
        case 'rateLimit':
          action = rule.policy !== undefined ? { kind: 'rateLimit', policy: rule.policy } : { kind: 'rateLimit' };
          break;
        case 'serverError':
          action = { kind: 'serverError', status: rule.status, ...(rule.message !== undefined ? { message: rule.message } : {}) };
          break;
        case 'drop':
          action = { kind: 'drop', when: rule.when };
          break;
      }
    });
    return { delayMs, action };
  }

  /** The rejection rule (if any) that fires for this record value; counts it. */
  rejectionFor(field: string, value: string): RecordRejection | undefined {
    for (let i = 0; i < this.config.rejectRecords.length; i++) {
      const rule = this.config.rejectRecords[i];
      if (rule.field !== field) continue;
      const regex = this.rejectRegexes[i];
      regex.lastIndex = 0;
      if (!regex.test(value)) continue;
      if (!this.fires(rule, this.rejectCounters[i])) continue;
      return {
        field,
        value,
        ...(rule.code !== undefined ? { code: rule.code } : {}),
        ...(rule.message !== undefined ? { message: rule.message.replaceAll('{value}', value).replaceAll('{field}', field) } : {}),
      };
    }
    return undefined;
  }

  /** Whether any rejection rule watches this field (lets callers skip work). */
  watches(field: string): boolean {
    return this.config.rejectRecords.some((r) => r.field === field);
  }

  private matches(rule: FaultRule, index: number, request: FaultRequest): boolean {
    const match = rule.match;
    if (!match) return true;
    if (match.method !== undefined && match.method.toUpperCase() !== request.method.toUpperCase()) return false;
    if (match.path !== undefined) {
      const want = trimSlash(match.path);
      const names = [request.path, ...(request.aliases ?? [])].map(trimSlash);
      if (!names.includes(want)) return false;
    }
    const regex = this.regexes[index];
    if (regex && !regex.test(request.path)) return false;
    return true;
  }

  private fires(rule: { probability?: number; count?: number; after?: number }, counters: Counters): boolean {
    counters.seen++;
    if (rule.after !== undefined && counters.seen <= rule.after) return false;
    if (rule.count !== undefined && counters.fired >= rule.count) return false;
    if (rule.probability !== undefined && this.random() >= rule.probability) return false;
    counters.fired++;
    return true;
  }
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

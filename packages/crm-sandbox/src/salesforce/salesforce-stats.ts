/** What the sandbox saw. Request keys are `METHOD /route/template` (REST routes without `/services/data/vXX.X`). */
export interface SalesforceSandboxStats {
  readonly totalRequests: number;
  readonly requests: Readonly<Record<string, number>>;
  /** Requests to routes that change data, whatever their outcome. */
  readonly writeRequests: number;
  /** Records (or ids, or CSV rows) carried by each write call, in arrival order, by route key. */
  readonly recordsPerCall: Readonly<Record<string, readonly number[]>>;
  /** API calls counted against the daily allocation (rolling 24 h) and that allocation. */
  readonly apiCallsUsed: number;
  readonly apiCallLimit: number;
  readonly tokensIssued: Readonly<Record<string, number>>;
  readonly unauthorized: number;
  /** 403 REQUEST_LIMIT_EXCEEDED served: daily allocation used up (`daily`) or injected. */
  readonly limitExceeded: { readonly daily: number; readonly injected: number };
  readonly injected: { readonly serverErrors: number; readonly delayed: number; readonly dropped: number };
  readonly bulkJobs: { readonly created: number; readonly completed: number; readonly failed: number; readonly aborted: number };
}

type BulkEvent = keyof SalesforceSandboxStats['bulkJobs'];
type InjectedKind = keyof SalesforceSandboxStats['injected'];

export class SalesforceStats {
  private totalRequests = 0;
  private requests = new Map<string, number>();
  private writeRequests = 0;
  private recordsPerCall = new Map<string, number[]>();
  private tokensIssued = new Map<string, number>();
  private unauthorized = 0;
  private limitExceeded = { daily: 0, injected: 0 };
  private injected = { serverErrors: 0, delayed: 0, dropped: 0 };
  private bulkJobs = { created: 0, completed: 0, failed: 0, aborted: 0 };

  request(key: string, writes: boolean): void {
    this.totalRequests++;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (writes) this.writeRequests++;
  }

  records(key: string, count: number): void {
    const list = this.recordsPerCall.get(key) ?? [];
    list.push(count);
    this.recordsPerCall.set(key, list);
  }

  tokenIssued(grant: string): void {
    this.tokensIssued.set(grant, (this.tokensIssued.get(grant) ?? 0) + 1);
  }

  unauthorizedRequest(): void {
    this.unauthorized++;
  }

  limitHit(kind: 'daily' | 'injected'): void {
    this.limitExceeded[kind]++;
  }

  injectedFault(kind: InjectedKind): void {
    this.injected[kind]++;
  }

  bulkJob(event: BulkEvent): void {
    this.bulkJobs[event]++;
  }

  snapshot(apiCallsUsed: number, apiCallLimit: number): SalesforceSandboxStats {
    return {
      totalRequests: this.totalRequests,
      requests: Object.fromEntries(this.requests),
      writeRequests: this.writeRequests,
      recordsPerCall: Object.fromEntries([...this.recordsPerCall].map(([k, v]) => [k, [...v]])),
      apiCallsUsed,
      apiCallLimit,
      tokensIssued: Object.fromEntries(this.tokensIssued),
      unauthorized: this.unauthorized,
      limitExceeded: { ...this.limitExceeded },
      injected: { ...this.injected },
      bulkJobs: { ...this.bulkJobs },
    };
  }

  reset(): void {
    this.totalRequests = 0;
    this.requests = new Map();
    this.writeRequests = 0;
    this.recordsPerCall = new Map();
    this.tokensIssued = new Map();
    this.unauthorized = 0;
    this.limitExceeded = { daily: 0, injected: 0 };
    this.injected = { serverErrors: 0, delayed: 0, dropped: 0 };
    this.bulkJobs = { created: 0, completed: 0, failed: 0, aborted: 0 };
  }
}

/** What the sandbox saw, for tests and benchmarks. Keys are `METHOD /path/template` with the object type filled in. */
export interface HubSpotSandboxStats {
  readonly totalRequests: number;
  readonly requests: Readonly<Record<string, number>>;
  /** Requests to routes that mutate state, whatever their outcome (401, 429 and faults included). */
  readonly writeRequests: number;
  /** Inputs (or record ids) per batch request, in arrival order, by route key. */
  readonly batchInputs: Readonly<Record<string, readonly number[]>>;
  /** 429s served, real and injected. */
  readonly rateLimited: number;
  readonly rateLimitedByPolicy: Readonly<Record<string, number>>;
  readonly unauthorized: number;
  readonly injected: {
    readonly rateLimited: number;
    readonly serverErrors: number;
    readonly delayed: number;
    readonly dropped: number;
  };
}

export class SandboxStatsRecorder {
  private totalRequests = 0;
  private requests = new Map<string, number>();
  private writeRequests = 0;
  private batchInputs = new Map<string, number[]>();
  private rateLimited = 0;
  private rateLimitedByPolicy = new Map<string, number>();
  private unauthorized = 0;
  private injected = { rateLimited: 0, serverErrors: 0, delayed: 0, dropped: 0 };

  request(key: string, writes: boolean): void {
    this.totalRequests++;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    if (writes) this.writeRequests++;
  }

  batch(key: string, inputs: number): void {
    const list = this.batchInputs.get(key) ?? [];
    list.push(inputs);
    this.batchInputs.set(key, list);
  }

  tooManyRequests(policy: string, injected: boolean): void {
    this.rateLimited++;
    this.rateLimitedByPolicy.set(policy, (this.rateLimitedByPolicy.get(policy) ?? 0) + 1);
    if (injected) this.injected.rateLimited++;
  }

  unauthorizedRequest(): void {
    this.unauthorized++;
  }

  injectedFault(kind: 'serverErrors' | 'delayed' | 'dropped'): void {
    this.injected[kind]++;
  }

  snapshot(): HubSpotSandboxStats {
    return {
      totalRequests: this.totalRequests,
      requests: Object.fromEntries(this.requests),
      writeRequests: this.writeRequests,
      batchInputs: Object.fromEntries([...this.batchInputs].map(([k, v]) => [k, [...v]])),
      rateLimited: this.rateLimited,
      rateLimitedByPolicy: Object.fromEntries(this.rateLimitedByPolicy),
      unauthorized: this.unauthorized,
      injected: { ...this.injected },
    };
  }

  reset(): void {
    this.totalRequests = 0;
    this.requests = new Map();
    this.writeRequests = 0;
    this.batchInputs = new Map();
    this.rateLimited = 0;
    this.rateLimitedByPolicy = new Map();
    this.unauthorized = 0;
    this.injected = { rateLimited: 0, serverErrors: 0, delayed: 0, dropped: 0 };
  }
}

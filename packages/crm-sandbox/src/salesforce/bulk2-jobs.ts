import { processIngestRows } from './bulk2-processor.js';
import type { Bulk2Operation, ColumnDelimiter, IngestJob, JobState, LineEnding } from './bulk2-types.js';
import { formatDateTime } from './field-values.js';
import type { RecordFaultHooks, SalesforceDml } from './salesforce-dml.js';
import { KEY_PREFIXES, type IdFactory } from './salesforce-ids.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { SchemaRegistry } from './schema-registry.js';

export interface NewJob {
  readonly object: string;
  readonly operation: Bulk2Operation;
  readonly externalIdFieldName?: string;
  readonly lineEnding: LineEnding;
  readonly columnDelimiter: ColumnDelimiter;
  readonly userId: string;
  readonly apiVersion: number;
}

export interface IngestJobsDeps {
  readonly registry: SchemaRegistry;
  readonly store: SalesforceStore;
  readonly dml: SalesforceDml;
  readonly faults: RecordFaultHooks;
  readonly ids: IdFactory;
  /** How long a closed job stays InProgress before its rows are applied. */
  readonly processingMs: number;
  readonly onFinished: (job: IngestJob) => void;
}

/** Bulk API 2.0 ingest jobs: state machine `Open → UploadComplete → InProgress → JobComplete | Failed | Aborted`. */
export class IngestJobs {
  private readonly jobs = new Map<string, IngestJob>();

  constructor(private readonly deps: IngestJobsDeps) {}

  create(input: NewJob): IngestJob {
    const now = formatDateTime(new Date());
    const job: IngestJob = {
      id: this.deps.ids.next(KEY_PREFIXES.IngestJob),
      object: input.object,
      operation: input.operation,
      externalIdFieldName: input.externalIdFieldName,
      lineEnding: input.lineEnding,
      columnDelimiter: input.columnDelimiter,
      createdById: input.userId,
      createdDate: now,
      apiVersion: input.apiVersion,
      state: 'Open',
      systemModstamp: now,
      csv: undefined,
      results: undefined,
      errorMessage: undefined,
      totalProcessingTime: 0,
      timers: [],
    };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): IngestJob | undefined {
    return this.jobs.get(id);
  }

  all(): readonly IngestJob[] {
    return [...this.jobs.values()];
  }

  /** Marks the upload complete and schedules processing (InProgress at once, done after `processingMs`). */
  close(job: IngestJob, userId: string): void {
    this.setState(job, 'UploadComplete');
    const started = Date.now();
    job.timers.push(
      setTimeout(() => {
        if (job.state === 'UploadComplete') this.setState(job, 'InProgress');
      }, 0),
      setTimeout(() => {
        if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
        const outcome = processIngestRows(job, { registry: this.deps.registry, store: this.deps.store, dml: this.deps.dml, faults: this.deps.faults, userId });
        job.totalProcessingTime = Date.now() - started;
        if (outcome.ok) {
          job.results = outcome.results;
          this.setState(job, 'JobComplete');
        } else {
          job.errorMessage = outcome.errorMessage;
          this.setState(job, 'Failed');
        }
        this.deps.onFinished(job);
      }, Math.max(1, this.deps.processingMs)),
    );
  }

  abort(job: IngestJob): void {
    this.stopTimers(job);
    this.setState(job, 'Aborted');
  }

  delete(job: IngestJob): void {
    this.stopTimers(job);
    this.jobs.delete(job.id);
  }

  clear(): void {
    for (const job of this.jobs.values()) this.stopTimers(job);
    this.jobs.clear();
  }

  private setState(job: IngestJob, state: JobState): void {
    job.state = state;
    job.systemModstamp = formatDateTime(new Date());
  }

  private stopTimers(job: IngestJob): void {
    for (const t of job.timers) clearTimeout(t);
    job.timers = [];
  }
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PEOPLE_PER_BATCH, batchRange, type BatchSource } from './batch-source.js';
import type { BatchResult } from './generate-batch.js';
import type { MessRates } from './sample-rates.js';
import type { SharedValue } from './shared-values.js';

/** What a sample worker is started with: the options its context is built from. */
export interface SampleWorkerData {
  readonly seed: number;
  readonly people: number;
  readonly asOfMs: number;
  readonly eventsPerPerson: number;
  readonly rates: Partial<MessRates>;
}

export type ToWorker = { readonly type: 'batch'; readonly id: number; readonly from: number; readonly to: number } | { readonly type: 'finish' };

export type FromWorker =
  | { readonly type: 'batch'; readonly id: number; readonly chunks: readonly ArrayBuffer[]; readonly lengths: readonly number[]; readonly rows: readonly number[] }
  | { readonly type: 'shared'; readonly values: readonly SharedValue[] }
  | { readonly type: 'error'; readonly message: string };

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Generates batches on worker threads: batch k goes to worker k mod n, a few batches ahead of the
 * writer, and results are handed out strictly in batch order, so the files are the same as inline.
 */
export class WorkerBatchSource implements BatchSource {
  private readonly workers: Worker[] = [];
  private readonly done = new Map<number, BatchResult>();
  private readonly waiting = new Map<number, Waiter<BatchResult>>();
  private readonly sharedWaiters: Waiter<readonly SharedValue[]>[] = [];
  private readonly batches: number;
  private readonly people: number;
  private dispatched = 0;
  private returned = 0;
  private failure: Error | null = null;

  constructor(data: SampleWorkerData, threads: number) {
    this.people = data.people;
    this.batches = Math.ceil(data.people / PEOPLE_PER_BATCH);
    for (let w = 0; w < threads; w++) {
      const worker = startWorker(data);
      worker.on('message', (msg: FromWorker) => this.receive(msg));
      worker.on('error', (error: Error) => this.fail(error));
      this.workers.push(worker);
    }
  }

  next(): Promise<BatchResult> {
    const ahead = this.workers.length * 2;
    while (this.dispatched < this.batches && this.dispatched < this.returned + ahead) {
      const id = this.dispatched++;
      const { from, to } = batchRange(id, this.people);
      const message: ToWorker = { type: 'batch', id, from, to };
      this.workers[id % this.workers.length].postMessage(message);
    }
    const id = this.returned++;
    const ready = this.done.get(id);
    if (ready !== undefined) {
      this.done.delete(id);
      return Promise.resolve(ready);
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  async finish(): Promise<readonly SharedValue[]> {
    const parts = await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<readonly SharedValue[]>((resolve, reject) => {
            if (this.failure !== null) return reject(this.failure);
            this.sharedWaiters.push({ resolve, reject });
            worker.postMessage({ type: 'finish' } satisfies ToWorker);
          }),
      ),
    );
    return parts.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private receive(msg: FromWorker): void {
    if (msg.type === 'error') return this.fail(new Error(`sample worker failed: ${msg.message}`));
    if (msg.type === 'shared') return this.sharedWaiters.shift()?.resolve(msg.values);
    const result: BatchResult = { chunks: msg.chunks.map((b, k) => Buffer.from(b, 0, msg.lengths[k])), rows: msg.rows };
    const waiter = this.waiting.get(msg.id);
    if (waiter === undefined) this.done.set(msg.id, result);
    else {
      this.waiting.delete(msg.id);
      waiter.resolve(result);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
    for (const w of this.sharedWaiters.splice(0)) w.reject(error);
  }
}

/**
 * The compiled worker next to this file; or, running from TypeScript sources (tests, `tsx`), a small
 * bootstrap that registers tsx's loader in the worker and then imports the .ts worker.
 */
function startWorker(data: SampleWorkerData): Worker {
  const js = new URL('./sample-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: data });
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const ts = new URL('./sample-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

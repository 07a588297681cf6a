import type { BatchResult } from './generate-batch.js';
import type { SharedValue } from './shared-values.js';

/** Produces the batches of a sample in order, on this thread or on worker threads. */
export interface BatchSource {
  /** The next batch (people [k·size, (k+1)·size)), in order. */
  next(): Promise<BatchResult>;
  /** Every shared value the batches used; ends the source. */
  finish(): Promise<readonly SharedValue[]>;
  /** Stops any workers (safe to call more than once). */
  close(): Promise<void>;
}

export const PEOPLE_PER_BATCH = 1000;

export function batchRange(k: number, people: number): { readonly from: number; readonly to: number } {
  return { from: k * PEOPLE_PER_BATCH, to: Math.min(people, (k + 1) * PEOPLE_PER_BATCH) };
}

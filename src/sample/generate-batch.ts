import { writeBehaviour } from './behaviour-events.js';
import { buildPerson } from './person.js';
import { writeRecords } from './person-records.js';
import type { SampleBuffers } from './sample-buffers.js';
import type { SampleContext } from './sample-context.js';
import { SAMPLE_TABLE_NAMES } from './sample-tables.js';
import type { SharedValues } from './shared-values.js';
import { writePersonTruth } from './truth-rows.js';

/** The rows of every table for one range of people, in table order (SAMPLE_TABLE_NAMES). */
export interface BatchResult {
  readonly chunks: readonly Buffer[];
  readonly rows: readonly number[];
}

/**
 * Generates people [from, to) into `buffers` and takes the rows out. The bytes depend only on the context
 * and the range; `shared` records the shared values the rows used.
 */
export function generateBatch(ctx: SampleContext, from: number, to: number, shared: SharedValues, buffers: SampleBuffers): BatchResult {
  for (let i = from; i < to; i++) {
    const person = buildPerson(ctx, i);
    writeBehaviour(ctx, person, shared, buffers);
    writeRecords(ctx, person, shared, buffers);
    writePersonTruth(ctx, person, buffers);
  }
  return takeRows(buffers);
}

/** Empties the buffers into a batch result. */
export function takeRows(buffers: SampleBuffers): BatchResult {
  const rows = SAMPLE_TABLE_NAMES.map((t) => buffers[t].rows);
  for (const t of SAMPLE_TABLE_NAMES) buffers[t].rows = 0;
  return { chunks: SAMPLE_TABLE_NAMES.map((t) => buffers[t].take()), rows };
}

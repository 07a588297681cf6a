import { RowBuffer } from './row-buffer.js';
import { SAMPLE_TABLE_NAMES, type SampleTableName } from './sample-tables.js';

/** One in-memory row buffer per table, filled by the person generators and drained by the writers. */
export type SampleBuffers = Readonly<Record<SampleTableName, RowBuffer>>;

export function createBuffers(): SampleBuffers {
  const entries = SAMPLE_TABLE_NAMES.map((name) => [name, new RowBuffer()] as const);
  return Object.fromEntries(entries) as Record<SampleTableName, RowBuffer>;
}

import type { RowResults } from './bulk2-processor.js';

/** Bulk API 2.0 ingest vocabulary (docs/crm/salesforce.md#bulk-api-20). */
export const BULK2_OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
export type Bulk2Operation = (typeof BULK2_OPERATIONS)[number];

export const COLUMN_DELIMITERS = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' } as const;
export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;

export function isColumnDelimiter(name: string): name is ColumnDelimiter {
  return Object.hasOwn(COLUMN_DELIMITERS, name);
}
export type LineEnding = 'LF' | 'CRLF';

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface IngestJob {
  readonly id: string;
  readonly object: string;
  readonly operation: Bulk2Operation;
  readonly externalIdFieldName: string | undefined;
  readonly lineEnding: LineEnding;
  readonly columnDelimiter: ColumnDelimiter;
  readonly createdById: string;
  readonly createdDate: string;
  readonly apiVersion: number;
  state: JobState;
  systemModstamp: string;
  csv: string | undefined;
  results: RowResults | undefined;
  errorMessage: string | undefined;
  totalProcessingTime: number;
  timers: ReturnType<typeof setTimeout>[];
}


import { rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { readSampleCsvSql, type SampleTableName } from './sample-tables.js';

/** Converts one generated CSV file to parquet with the table's exact column types, then deletes the CSV. */
export async function csvToParquet(table: SampleTableName, csvFile: string, parquetFile: string): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    const target = parquetFile.replaceAll("'", "''");
    await connection.run(`copy (select * from ${readSampleCsvSql(table, csvFile)}) to '${target}' (format parquet, compression zstd)`);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  await rm(csvFile);
}

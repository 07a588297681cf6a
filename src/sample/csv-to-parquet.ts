import { rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { readSampleCsvSql, type SampleTableName } from './sample-tables.js';

export interface ParquetConversion {
  readonly table: SampleTableName;
  readonly csvFile: string;
  readonly parquetFile: string;
}

/** Converts generated CSV files to parquet with each table's exact column types, then deletes the CSVs. */
export async function csvToParquet(conversions: readonly ParquetConversion[]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    for (const { table, csvFile, parquetFile } of conversions) {
      const target = parquetFile.replaceAll("'", "''");
      await connection.run(`copy (select * from ${readSampleCsvSql(table, csvFile)}) to '${target}' (format parquet, compression zstd)`);
      await rm(csvFile);
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

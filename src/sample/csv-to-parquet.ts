import { rm } from 'node:fs/promises';
import { openWarehouse } from '../engines/open-warehouse.js';
import { readSampleCsvSql, type SampleTableName } from './sample-tables.js';

export interface ParquetConversion {
  readonly table: SampleTableName;
  readonly csvFile: string;
  readonly parquetFile: string;
}

/**
 * Converts generated CSV files to parquet with each table's exact column types, then deletes the CSVs.
 * An in-memory DuckDB does the work, opened like any warehouse (docs/architecture.md: engine clients
 * live in src/engines/ only).
 */
export async function csvToParquet(conversions: readonly ParquetConversion[]): Promise<void> {
  const warehouse = await openWarehouse({ type: 'duckdb', path: ':memory:' }, '.');
  try {
    for (const { table, csvFile, parquetFile } of conversions) {
      const target = parquetFile.replaceAll("'", "''");
      await warehouse.execute(`copy (select * from ${readSampleCsvSql(table, csvFile)}) to '${target}' (format parquet, compression zstd)`);
      await rm(csvFile);
    }
  } finally {
    await warehouse.close();
  }
}

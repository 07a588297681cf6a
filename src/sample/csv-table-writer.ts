import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** Streams one CSV file: header first, then the rows buffered so far; waits for the disk when it lags. */
export class CsvTableWriter {
  private readonly stream: WriteStream;
  rows = 0;

  constructor(
    readonly file: string,
    columns: readonly string[],
  ) {
    this.stream = createWriteStream(file, { highWaterMark: 8 << 20 });
    this.stream.write(`${columns.join(',')}\n`);
  }

  /** Appends `rows` CSV rows; resolves once the stream can take more. */
  async write(chunk: Buffer, rows: number): Promise<void> {
    this.rows += rows;
    if (chunk.length > 0 && !this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/**
 * Runs tasks one at a time, in the order given. Every warehouse call of a sync goes through one, so
 * reads and per-batch commits never interleave on a single-connection warehouse (DuckDB).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

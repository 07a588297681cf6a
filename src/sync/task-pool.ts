/**
 * At most `max` tasks at once. `run` waits for a free slot (backpressure for the reader), never for
 * the task itself. The first failure is kept: later `run`s throw it, and `drain` rethrows it once
 * every running task has settled, so confirmed work is always committed before the sync stops.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly max: number) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async run(task: () => Promise<void>): Promise<void> {
    this.rethrow();
    while (this.running.size >= this.max) {
      await Promise.race(this.running);
      this.rethrow();
    }
    const promise: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  /** Waits for every task; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.rethrow();
  }

  /** Waits for every task without throwing. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

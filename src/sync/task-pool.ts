import PQueue from 'p-queue';

/**
 * At most `max` tasks at once (a p-queue). `run` waits until its task has started (backpressure for
 * the reader), never for the task itself. The first failure is kept: later `run`s throw it, tasks
 * not yet started are skipped, and
 * `drain` rethrows it once every running task has settled, so confirmed work is always committed
 * before the sync stops.
 */
export class TaskPool {
  private readonly queue: PQueue;
  private failure: { readonly error: unknown } | undefined;

  constructor(max: number) {
    this.queue = new PQueue({ concurrency: max });
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async run(task: () => Promise<void>): Promise<void> {
    this.rethrow();
    // A task whose turn comes after a failure is skipped: nothing more is sent once one batch failed.
    this.queue
      .add(() => (this.failure ? Promise.resolve() : task()))
      .catch((error: unknown) => {
        this.failure ??= { error };
      });
    // Returns once nothing waits for a slot, i.e. this task has started (or was skipped).
    await this.queue.onSizeLessThan(1);
  }

  /** Waits for every task; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.rethrow();
  }

  /** Waits for every task without throwing. */
  async settle(): Promise<void> {
    await this.queue.onIdle();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

/** How one cycle of `cdp run --every` ended (docs/watch.md#cycles-and-exit-codes). */
export type CycleEnd =
  /** The run was recorded (success, rejected or blocked): the next cycle comes after the interval. */
  | { readonly kind: 'done' }
  /** The run failed; the loop goes on after a backoff. */
  | { readonly kind: 'failed' }
  /** Retrying cannot help (the lock was lost, the project is invalid): the loop ends with this error. */
  | { readonly kind: 'fatal'; readonly error: unknown };

export interface WatchLoopOptions {
  readonly everyMs: number;
  /** Aborted by SIGINT/SIGTERM: no new cycle starts; a wait ends at once. */
  readonly stop: AbortSignal;
  /** Ends a wait early and runs the next cycle now (the lock was lost: that cycle fails and ends the loop). */
  readonly wake?: AbortSignal;
  /** One run; `next` is how long the loop will wait after it, so the cycle's report can say so. */
  cycle(n: number, next: (end: CycleEnd) => number): Promise<CycleEnd>;
}

/** The longest wait after failures, unless the interval itself is longer. */
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * The wait before the next cycle: the interval; after `failures` failed cycles in a row, the interval
 * doubled per failure, at most 10 minutes (or the interval, when that is longer).
 */
export function nextWait(everyMs: number, failures: number): number {
  if (failures === 0) return everyMs;
  return Math.min(everyMs * 2 ** failures, Math.max(everyMs, MAX_BACKOFF_MS));
}

/**
 * Runs cycles until `stop` is aborted or a cycle is fatal. A cycle is never interrupted: a stop
 * request takes effect after it (so its commit is finished), and during the wait it ends the loop at
 * once. Returns the number of cycles run; throws a fatal cycle's error.
 */
export async function watchLoop(options: WatchLoopOptions): Promise<number> {
  let failures = 0;
  let n = 0;
  while (!options.stop.aborted) {
    n++;
    const waitAfter = (end: CycleEnd) => nextWait(options.everyMs, end.kind === 'failed' ? failures + 1 : 0);
    const end = await options.cycle(n, waitAfter);
    if (end.kind === 'fatal') throw end.error;
    const wait = waitAfter(end);
    failures = end.kind === 'failed' ? failures + 1 : 0;
    if (options.stop.aborted) break;
    const interrupt = options.wake ? AbortSignal.any([options.stop, options.wake]) : options.stop;
    await sleep(wait, undefined, { signal: interrupt }).catch((error: unknown) => {
      if (!interrupt.aborted) throw error;
    });
  }
  return n;
}

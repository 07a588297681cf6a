import { describe, expect, it } from 'vitest';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { watchLoop, type CycleEnd } from '../../src/run/watch-loop.js';

describe('watch loop (docs/watch.md#cycles-and-exit-codes)', () => {
  it('a stop during a cycle lets that cycle finish and starts no new one', async () => {
    const stop = new AbortController();
    const log: string[] = [];
    const cycles = await watchLoop({
      everyMs: 1,
      stop: stop.signal,
      cycle: async (n) => {
        log.push(`start ${n}`);
        if (n === 2) stop.abort();
        await Promise.resolve();
        log.push(`commit ${n}`);
        return { kind: 'done' };
      },
    });
    expect(cycles).toBe(2);
    expect(log).toEqual(['start 1', 'commit 1', 'start 2', 'commit 2']);
  });

  it('a stop during the pause ends the loop without waiting for the interval', async () => {
    const stop = new AbortController();
    const cycles = await watchLoop({
      everyMs: 24 * 60 * 60_000, // a day: the test would time out if the pause were not cut short
      stop: stop.signal,
      cycle: async () => {
        setImmediate(() => stop.abort());
        return { kind: 'done' };
      },
    });
    expect(cycles).toBe(1);
  });

  it('goes on after failed cycles with a doubling pause, reset by a cycle that succeeds', async () => {
    const stop = new AbortController();
    const ends: CycleEnd['kind'][] = ['failed', 'failed', 'failed', 'done', 'failed'];
    const waits: number[] = [];
    await watchLoop({
      everyMs: 1,
      stop: stop.signal,
      cycle: async (n, next) => {
        const end: CycleEnd = { kind: ends[n - 1] } as CycleEnd;
        waits.push(next(end));
        if (n === ends.length) stop.abort();
        return end;
      },
    });
    expect(waits).toEqual([2, 4, 8, 1, 2]);
  });

  it('a fatal cycle (lock lost) ends the loop with its error', async () => {
    const lost = new RunError('lock-lost', 'this run lost the run lock');
    let ran = 0;
    await expect(
      watchLoop({
        everyMs: 1,
        stop: new AbortController().signal,
        cycle: async (n) => {
          ran = n;
          return n === 2 ? { kind: 'fatal', error: lost } : { kind: 'failed' };
        },
      }),
    ).rejects.toBe(lost);
    expect(ran).toBe(2);
  });
});

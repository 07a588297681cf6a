import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchOutcome, RecordResult } from '../../src/destinations/destination.js';
import { DestinationStopped } from '../../src/destinations/destination-stopped.js';
import { deliver } from '../../src/sync/deliver.js';
import { KeyBatcher } from '../../src/sync/key-batcher.js';
import { PacedTransport } from '../../src/sync/paced-transport.js';
import { DEFAULT_RETRY_POLICY, backoffMs } from '../../src/sync/retry-policy.js';

const fast = () => new PacedTransport('fake', { requests: 1_000_000, perMs: 1_000, maxConcurrent: 8 }, { ...DEFAULT_RETRY_POLICY, scale: 0 });

interface Item {
  readonly key: string;
  readonly bad: boolean;
}

/**
 * A destination that refuses a whole batch (HubSpot 400 without per-record results) when any record
 * in it is bad, and fails transiently `transient` times in total; it records what landed.
 */
function fakeDestination(transient: number) {
  const landed = new Map<string, number>();
  let failuresLeft = transient;
  let calls = 0;
  const send = async (items: readonly Item[]): Promise<BatchOutcome> => {
    calls++;
    if (failuresLeft > 0) {
      failuresLeft--;
      return { ok: false, failure: { kind: 'retry', code: 'http-503', message: 'Service Unavailable' } };
    }
    const bad = items.find((i) => i.bad);
    if (bad) return { ok: false, failure: { kind: 'split', code: 'INVALID_EMAIL', message: `Email address ${bad.key} is invalid` } };
    for (const i of items) landed.set(i.key, (landed.get(i.key) ?? 0) + 1);
    return { ok: true, results: items.map((i): RecordResult => ({ ok: true, id: `id-${i.key}` })) };
  };
  return { send, landed, calls: () => calls };
}

describe('deliver (retries and bisection)', () => {
  it('lands every good record once and rejects each bad one with its own error, whatever the mix', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 100 }), fc.integer({ min: 0, max: 4 }), async (badness, transient) => {
        const items = badness.map((bad, i) => ({ key: `r${i}`, bad }));
        const destination = fakeDestination(transient);
        const results = await deliver(fast(), items, destination.send);
        expect(results).toHaveLength(items.length);
        items.forEach((item, i) => {
          const r = results[i];
          if (item.bad) expect(r).toEqual({ ok: false, code: 'INVALID_EMAIL', message: `Email address ${item.key} is invalid`, retryable: false });
          else {
            expect(r).toEqual({ ok: true, id: `id-${item.key}` });
            expect(destination.landed.get(item.key)).toBe(1);
          }
        });
        expect(destination.landed.size).toBe(items.filter((i) => !i.bad).length);
        // bisection costs O(bad * log n) requests, not one per record
        const bad = items.filter((i) => i.bad).length;
        expect(destination.calls()).toBeLessThanOrEqual(transient + 1 + 2 * Math.max(1, bad) * Math.ceil(Math.log2(items.length) + 1));
      }),
      { numRuns: 60 },
    );
  });

  it('stops the sync with the last error when retries are used up, and at once on a stop', async () => {
    const always = async (): Promise<BatchOutcome> => ({ ok: false, failure: { kind: 'retry', code: 'http-503', message: 'Service Unavailable' } });
    await expect(deliver(fast(), [{ key: 'a' }], always)).rejects.toThrow(/gave up after 6 attempts: Service Unavailable/);
    let calls = 0;
    const daily = async (): Promise<BatchOutcome> => {
      calls++;
      return { ok: false, failure: { kind: 'stop', code: 'rate-limit-daily', message: 'daily limit', hint: 'tomorrow' } };
    };
    const stopped = await deliver(fast(), [{ key: 'a' }], daily).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(DestinationStopped);
    expect((stopped as DestinationStopped).code).toBe('rate-limit-daily');
    expect(calls).toBe(1);
  });

  it('waits out a rate limit for every request of the destination, then goes on', async () => {
    const transport = new PacedTransport('fake', { requests: 1_000_000, perMs: 1_000, maxConcurrent: 8 }, { ...DEFAULT_RETRY_POLICY, scale: 1 });
    let first = true;
    const times: number[] = [];
    const send = async (items: readonly { key: string }[]): Promise<BatchOutcome> => {
      times.push(Date.now());
      if (first) {
        first = false;
        return { ok: false, failure: { kind: 'retry', code: 'rate-limit-ten_secondly_rolling', message: 'limit', retryAfterMs: 300 } };
      }
      return { ok: true, results: items.map((i) => ({ ok: true, id: i.key })) };
    };
    const results = await deliver(transport, [{ key: 'a' }], (items) => transport.send(() => send(items)));
    expect(results).toEqual([{ ok: true, id: 'a' }]);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(290);
    expect(transport.stats).toMatchObject({ requests: 2, rateLimited: 1 });
  });

  it('sends records answered with a retryable error again, alone', async () => {
    let round = 0;
    const send = async (items: readonly { key: string }[]): Promise<BatchOutcome> => {
      round++;
      return {
        ok: true,
        results: items.map((i): RecordResult => (round === 1 && i.key === 'b' ? { ok: false, code: 'UNREPORTED', message: 'not reported', retryable: true } : { ok: true, id: i.key })),
      };
    };
    expect(await deliver(fast(), [{ key: 'a' }, { key: 'b' }, { key: 'c' }], send)).toEqual([
      { ok: true, id: 'a' },
      { ok: true, id: 'b' },
      { ok: true, id: 'c' },
    ]);
    expect(round).toBe(2);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(DEFAULT_RETRY_POLICY, 1, () => 1)).toBe(500);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(1000);
    expect(backoffMs(DEFAULT_RETRY_POLICY, 20, () => 1)).toBe(30_000);
    expect(backoffMs({ ...DEFAULT_RETRY_POLICY, scale: 0.01 }, 1, () => 1)).toBe(5);
  });
});

describe('KeyBatcher', () => {
  it('never puts one key twice in a batch, keeps every item, and fills batches up to the size', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'A', 'b', 'c', 'd', 'e'), { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (keys, size) => {
        const batcher = new KeyBatcher<{ key: string; n: number }>(size, (x) => x.key.toLowerCase());
        const batches = [...keys.flatMap((key, n) => batcher.add({ key, n })), ...batcher.flush()];
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(size);
          expect(new Set(batch.map((x) => x.key.toLowerCase())).size).toBe(batch.length);
        }
        expect(batches.flat().map((x) => x.n).sort((a, b) => a - b)).toEqual(keys.map((_, n) => n));
      }),
    );
  });
});

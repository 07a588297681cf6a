import type { BatchOutcome, RecordResult } from '../destinations/destination.js';
import type { PacedTransport } from './paced-transport.js';

/**
 * Sends one batch until every record has a final answer:
 * - a transient whole-batch failure (429, 5xx, timeout, dropped connection) is retried after the
 *   destination's wait or a backoff; when retries run out the sync stops (DestinationStopped);
 * - a whole-batch refusal caused by some record (`split`) is bisected until each bad record stands
 *   alone and gets its own error, while the good ones land;
 * - records answered with a retryable error are sent again, as a smaller batch, a few times.
 * Results come back in input order.
 */
export async function deliver<T>(transport: PacedTransport, items: readonly T[], send: (items: readonly T[]) => Promise<BatchOutcome>): Promise<RecordResult[]> {
  return attemptBatch(transport, items, send, 0);
}

async function attemptBatch<T>(
  transport: PacedTransport,
  items: readonly T[],
  send: (items: readonly T[]) => Promise<BatchOutcome>,
  recordRetries: number,
): Promise<RecordResult[]> {
  let attempt = 0;
  let rateLimitWaits = 0;
  for (;;) {
    const outcome = await send(items);
    if (outcome.ok) {
      if (outcome.results.length !== items.length) throw new Error(`destination answered ${outcome.results.length} results for ${items.length} records`);
      return retryRecords(transport, items, outcome.results, send, recordRetries);
    }
    const failure = outcome.failure;
    if (failure.kind === 'split') {
      if (items.length === 1) return [{ ok: false, code: failure.code, message: failure.message, retryable: false }];
      const middle = Math.ceil(items.length / 2);
      const [left, right] = await Promise.all([
        attemptBatch(transport, items.slice(0, middle), send, recordRetries),
        attemptBatch(transport, items.slice(middle), send, recordRetries),
      ]);
      return [...left, ...right];
    }
    if (failure.retryAfterMs !== undefined) rateLimitWaits++;
    else attempt++;
    await transport.afterFailure(failure, attempt, rateLimitWaits);
  }
}

async function retryRecords<T>(
  transport: PacedTransport,
  items: readonly T[],
  results: readonly RecordResult[],
  send: (items: readonly T[]) => Promise<BatchOutcome>,
  recordRetries: number,
): Promise<RecordResult[]> {
  const again = results.flatMap((r, i) => (!r.ok && r.retryable ? [i] : []));
  if (again.length === 0 || recordRetries + 1 >= transport.policy.maxAttempts) return [...results];
  const waits = again.map((i) => results[i]).flatMap((r) => (!r.ok && r.retryAfterMs !== undefined ? [r.retryAfterMs] : []));
  if (waits.length > 0) transport.pause(Math.max(...waits));
  else await transport.backoff(recordRetries + 1);
  const retried = await attemptBatch(
    transport,
    again.map((i) => items[i]),
    send,
    recordRetries + 1,
  );
  const merged = [...results];
  again.forEach((i, n) => (merged[i] = retried[n]));
  return merged;
}

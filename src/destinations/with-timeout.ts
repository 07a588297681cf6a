/** A request that did not answer in time. The engine treats it like a dropped connection (retry). */
export class RequestTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'RequestTimeout';
  }
}

/**
 * Rejects when `promise` takes longer than `ms`. The request itself may still land later, which is
 * why every write cdp sends is idempotent (upsert by key, membership by id).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout(ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    // A late failure of the abandoned request must not become an unhandled rejection.
    promise.catch(() => undefined);
  }
}

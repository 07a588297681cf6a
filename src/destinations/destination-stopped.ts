import { RunError } from '../diagnostics/diagnostic.js';
import type { BatchFailure } from './destination.js';

/** A destination failure that ends the sync (bad token, daily limit, retries used up): exit 1, with what to check. */
export class DestinationStopped extends RunError {
  constructor(
    readonly destination: string,
    readonly failure: BatchFailure,
  ) {
    super(failure.code, `destination '${destination}': ${failure.message}`, failure.hint);
    this.name = 'DestinationStopped';
  }
}

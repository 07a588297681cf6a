import { batchRange, type BatchSource } from './batch-source.js';
import { generateBatch, type BatchResult } from './generate-batch.js';
import { createBuffers } from './sample-buffers.js';
import type { SampleContext } from './sample-context.js';
import { SharedValues, type SharedValue } from './shared-values.js';

/** Generates batches on the calling thread. */
export class InlineBatchSource implements BatchSource {
  private readonly shared = new SharedValues();
  private readonly buffers = createBuffers();
  private k = 0;

  constructor(private readonly ctx: SampleContext) {}

  async next(): Promise<BatchResult> {
    const { from, to } = batchRange(this.k++, this.ctx.people);
    return generateBatch(this.ctx, from, to, this.shared, this.buffers);
  }

  async finish(): Promise<readonly SharedValue[]> {
    return this.shared.values();
  }

  async close(): Promise<void> {}
}

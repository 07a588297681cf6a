import { parentPort, workerData } from 'node:worker_threads';
import { generateBatch } from './generate-batch.js';
import { createBuffers } from './sample-buffers.js';
import { createContext } from './sample-context.js';
import { SharedValues } from './shared-values.js';
import type { FromWorker, SampleWorkerData, ToWorker } from './worker-batch-source.js';

/** Worker-thread entry: generates the batches it is sent and returns their rows (see WorkerBatchSource). */
const data = workerData as SampleWorkerData;
const port = parentPort;
if (port === null) throw new Error('sample-worker must run as a worker thread');
const ctx = createContext(data.seed, data.people, new Date(data.asOfMs), data.eventsPerPerson, data.rates);
const shared = new SharedValues();
const buffers = createBuffers();

port.on('message', (msg: ToWorker) => {
  try {
    if (msg.type === 'finish') {
      port.postMessage({ type: 'shared', values: shared.values() } satisfies FromWorker);
      return;
    }
    const result = generateBatch(ctx, msg.from, msg.to, shared, buffers);
    const chunks = result.chunks.map((c) => c.buffer as ArrayBuffer);
    const reply: FromWorker = { type: 'batch', id: msg.id, chunks, lengths: result.chunks.map((c) => c.length), rows: result.rows };
    port.postMessage(reply, chunks);
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromWorker);
  }
});

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { COMPLETION_SLOTS, completionBuffer, FanOutCompletion } from './fan-out-completion.js';

describe('FanOutCompletion', () => {
  it('completes a message on the delivery to its last receiver, once', () => {
    const c = new FanOutCompletion(completionBuffer());
    c.setReceivers(3);
    c.begin(1);
    c.begin(2);
    expect([c.deliver(1), c.deliver(2), c.deliver(1)]).toEqual([false, false, false]);
    expect(c.deliver(1)).toBe(true);
    expect(c.deliver(1)).toBe(false); // a duplicate does not complete it again
    expect([c.deliver(2), c.deliver(2)]).toEqual([false, true]);
  });

  it('ignores deliveries of a message whose slot a newer message took', () => {
    const c = new FanOutCompletion(completionBuffer());
    c.setReceivers(1);
    c.begin(5);
    c.begin(5 + COMPLETION_SLOTS);
    expect(c.deliver(5)).toBe(false);
    expect(c.deliver(5 + COMPLETION_SLOTS)).toBe(true);
  });

  it('counts deliveries made on other threads in the same memory', async () => {
    const buffer = completionBuffer();
    const c = new FanOutCompletion(buffer);
    new FanOutCompletion(buffer).setReceivers(2); // as the main thread does, in its own view of the memory
    c.begin(7);
    // Another thread delivers once (as a receiver on another load worker would).
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const counts = new Int32Array(workerData, ${(1 + COMPLETION_SLOTS) * 4}, ${COMPLETION_SLOTS});
       Atomics.add(counts, 7, 1);
       parentPort.postMessage('done');`,
      { eval: true, workerData: buffer },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(c.deliver(7)).toBe(true);
  });
});

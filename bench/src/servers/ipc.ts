// The child side of the IPC protocol in child.ts: ready, unavailable, memory, stop.
import type { ChildMessage } from './child.js';

const send = (message: ChildMessage) => process.send?.(message);

/** Tells the suite this child is serving. */
export function reportReady(info: Record<string, unknown>): void {
  send({ type: 'ready', info });
}

/** Tells the suite a package this child needs has not landed yet, and exits. */
export function reportUnavailable(reason: string): never {
  send({ type: 'unavailable', reason });
  process.exit(0);
}

/**
 * Answers memory requests and stops on request (or when the suite goes away, so that no
 * child outlives it).
 */
export function serveControl(stop: () => Promise<void>): void {
  const shutdown = () => {
    stop().finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'stop') shutdown();
    if (message.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal });
    }
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
}

// Test support: a load run small and short enough for a test (a few clients, 300 ms window).
import type { LoadSpec } from './types.js';

/** A ping-pong run of 6 clients on 2 workers against `url`; `over` changes any of it (mode, clients, inFlight...). */
export function smallSpec(url: string, over: Partial<LoadSpec> = {}): LoadSpec {
  return {
    mode: 'ping-pong',
    url,
    clients: 6,
    workers: 2,
    warmupMs: 50,
    durationMs: 300,
    drainMs: 2_000,
    messageBytes: 64,
    connectConcurrency: 3,
    ...over,
  };
}

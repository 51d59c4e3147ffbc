// Starts a backend for tests (silent logs, fast reconnects) and closes every one at the end.
import { afterEach } from 'vitest';
import { StrandsBackend, type BackendOptions } from '../../src/index.js';

const running: { close(): Promise<void> }[] = [];

afterEach(async () => {
  // Last registered first: backends close while their brokers still run.
  for (const item of running.splice(0).reverse()) await item.close();
});

/** A backend with test-friendly defaults; closed after the test. */
export function testBackend(options: BackendOptions = {}): StrandsBackend {
  const backend = new StrandsBackend({
    logLevel: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent',
    reconnectInitialDelayMs: 20,
    reconnectMaxDelayMs: 100,
    ...options,
  });
  running.push({ close: () => backend.close({ timeoutMs: 1000 }) });
  return backend;
}

/** Registers anything with a `close()`/`stop()` for cleanup after the test. */
export function cleanup(item: { close(): Promise<void> } | { stop(): Promise<void> }): void {
  running.push('close' in item ? item : { close: () => item.stop() });
}

// Defaults, broker addresses and the typed OptionsError of resolveOptions(); the reconnect backoff.
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff.js';
import { isBackendError } from './errors.js';
import { DEFAULT_RECONNECT_INITIAL_DELAY_MS, parseBrokerAddress, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('applies the defaults', () => {
    const options = resolveOptions();
    expect(options.brokers).toEqual([{ host: '127.0.0.1', port: 8081, address: '127.0.0.1:8081' }]);
    expect(options.reconnectInitialDelayMs).toBe(DEFAULT_RECONNECT_INITIAL_DELAY_MS);
    expect(options.reconnectMaxDelayMs).toBe(30_000);
    expect(options.name).toBe('strands-backend');
    expect(options.routeTimeoutMs).toBe(25_000);
    expect(options.maxStreamsPerClient).toBe(32);
  });

  it('reads broker addresses in every accepted form and drops duplicates', () => {
    expect(resolveOptions({ brokers: ['a:1', 'a:1', '[::1]:2', '3'] }).brokers).toEqual([
      { host: 'a', port: 1, address: 'a:1' },
      { host: '::1', port: 2, address: '[::1]:2' },
      { host: '127.0.0.1', port: 3, address: '3' },
    ]);
    expect(resolveOptions({ brokers: 'b:9' }).brokers).toHaveLength(1);
    expect(() => parseBrokerAddress('nope')).toThrow(/host:port/);
    expect(() => parseBrokerAddress('h:70000')).toThrow(/host:port/);
    expect(thrown(() => resolveOptions({ brokers: ['a:1', 'nope'] }))).toMatchObject({ name: 'OptionsError', code: 'invalid_option', option: 'brokers' });
  });

  it.each([
    [{ brokers: [] }, /at least one/, 'brokers'],
    [{ reconnectInitialDelayMs: 0 }, /reconnectInitialDelayMs/, 'reconnectInitialDelayMs'],
    [{ reconnectInitialDelayMs: 5000, reconnectMaxDelayMs: 1000 }, /reconnectMaxDelayMs must be at least/, 'reconnectMaxDelayMs'],
    [{ reconnectMultiplier: 0.5 }, /reconnectMultiplier/, 'reconnectMultiplier'],
    [{ reconnectJitter: 2 }, /reconnectJitter/, 'reconnectJitter'],
    [{ maxConcurrency: 1.5 }, /maxConcurrency/, 'maxConcurrency'],
    [{ streamBufferSize: 0 }, /streamBufferSize/, 'streamBufferSize'],
    [{ brokerIdleTimeoutMs: -1 }, /brokerIdleTimeoutMs/, 'brokerIdleTimeoutMs'],
    [{ sendTimeoutMs: Number.NaN }, /sendTimeoutMs/, 'sendTimeoutMs'],
    [{ routeTimeoutMs: 0 }, /routeTimeoutMs/, 'routeTimeoutMs'],
    [{ maxStreamsPerClient: 0 }, /maxStreamsPerClient/, 'maxStreamsPerClient'],
  ])('refuses %o', (options, message, option) => {
    expect(() => resolveOptions(options)).toThrow(message);
    const error = thrown(() => resolveOptions(options));
    expect(error).toMatchObject({ name: 'OptionsError', code: 'invalid_option', option });
    expect(isBackendError(error)).toBe(true);
  });
});

/** What `fn` throws; fails the test if it returns. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('reconnectDelayMs', () => {
  const options = { reconnectInitialDelayMs: 1000, reconnectMaxDelayMs: 30_000, reconnectMultiplier: 2, reconnectJitter: 0.2 };

  it('doubles from the initial delay up to the cap', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => reconnectDelayMs(n, options, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('takes up to the jitter share off each delay', () => {
    expect(reconnectDelayMs(0, options, () => 1)).toBe(800);
    expect(reconnectDelayMs(10, options, () => 0.5)).toBe(27_000);
    for (let i = 0; i < 100; i += 1) {
      const delay = reconnectDelayMs(2, options);
      expect(delay).toBeGreaterThanOrEqual(3200);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});

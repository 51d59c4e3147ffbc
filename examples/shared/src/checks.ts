// The option checks both examples make, and the error they throw for a value that cannot work.

/** A flag or option value that cannot work (bad address, port out of range, unknown flag). */
export class OptionsError extends Error {
  override readonly name = 'OptionsError' as const;
  /** Stable code, documented in each example's README. */
  readonly code = 'invalid_option' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throws unless `value` is `host:port` (IPv6 hosts in brackets). */
export function checkBrokerAddress(name: string, value: string): void {
  if (!/^(?:\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(value)) {
    throw new OptionsError(`${name}: expected host:port (got "${value}")`);
  }
}

/** Throws unless `value` is a TCP port (0 picks a free one). */
export function checkPort(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new OptionsError(`${name}: ${value} is not a port (0-65535)`);
  }
}

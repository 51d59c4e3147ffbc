// Reconnect delays: exponential from an initial delay, capped, with random jitter so that many
// backends restarting together do not hammer a broker in lockstep.

export interface BackoffOptions {
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectMultiplier: number;
  reconnectJitter: number;
}

/**
 * Delay before reconnect attempt number `attempt` (0 for the first), in ms: the capped exponential
 * delay minus a random share of up to `reconnectJitter` of it.
 * @example reconnectDelayMs(0, opts) // ≈ 800..1000 with the defaults
 */
export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = options.reconnectInitialDelayMs * options.reconnectMultiplier ** Math.min(attempt, 64);
  const capped = Math.min(options.reconnectMaxDelayMs, exponential);
  return Math.round(capped * (1 - options.reconnectJitter * random()));
}

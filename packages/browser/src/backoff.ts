// Reconnect delays: exponential backoff with full jitter, so a broker restart is not met by
// every client reconnecting in the same instant.

/**
 * The delay before reconnect attempt `attempt` (0 for the first): uniform in
 * `[0, min(maxMs, initialMs * 2^attempt))` ("full jitter").
 * @example
 * backoffDelayMs(3, 500, 30_000); // somewhere in [0, 4000)
 */
export function backoffDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, initialMs * 2 ** attempt));
}

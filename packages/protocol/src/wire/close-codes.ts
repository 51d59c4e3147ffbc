// WebSocket close codes a Strands broker sends to clients, and what each means to a client.

/**
 * Close codes of a Strands broker. Browsers cannot read the HTTP status of a refused upgrade, so
 * under `strands.v1` the broker upgrades and closes with `REJECTION_CLOSE_BASE + status` instead.
 */
export const CLOSE_CODES = {
  /** The backend closed this client on purpose (`disconnect_connection` without a code). */
  normal: 1000,
  /** The broker is shutting down; reconnect to another one. */
  going_away: 1001,
  /** No close frame: the network failed, or the broker's ping went unanswered. */
  abnormal: 1006,
  /** Policy violation: refused for a reason reconnecting would not fix; final. */
  policy_violation: 1008,
  /** The client is too slow: its outbound buffer filled up. Transient. */
  try_again_later: 1013,
  /** `4000 + HTTP status`: rejected at the upgrade (4401, 4403 ...; 4xx final, 5xx transient). */
  rejection_base: 4000,
  /** A newer connection with the same client id took over (409 Conflict); final. */
  replaced: 4409,
  /** No backend was connected to answer the connection request (503); transient. */
  no_backend: 4503,
  /** The backend did not answer the connection request in time (504); transient. */
  backend_timeout: 4504,
} as const;

/** The close code for an upgrade refused with an HTTP `status` (400-599). */
export function rejectionCloseCode(status: number): number {
  return CLOSE_CODES.rejection_base + status;
}

/** The HTTP status a `4000 + status` close code carries (`closeCode - 4000` for 4000-4999), else undefined. */
export function rejectionStatus(closeCode: number): number | undefined {
  return closeCode >= 4000 && closeCode < 5000 ? closeCode - CLOSE_CODES.rejection_base : undefined;
}

/**
 * True for a close that means "do not come back": a 4xx rejection (4000-4499, so `replaced` too)
 * or a policy violation. 1000 is final too, but as a deliberate close rather than a refusal.
 */
export function isRefusalCloseCode(closeCode: number): boolean {
  return (closeCode >= 4000 && closeCode < 4500) || closeCode === CLOSE_CODES.policy_violation;
}

/** True for a code a backend may ask the broker to close a client with: 1000, or 3000-4999. */
export function isBackendCloseCode(code: number): boolean {
  return code === CLOSE_CODES.normal || (Number.isSafeInteger(code) && code >= 3000 && code <= 4999);
}

// WebSocket close codes a Strands broker sends to clients, and what each means to a client.

// One constant per code, so that a bundle using only the helpers below leaves the table out.
const NORMAL = 1000;
const POLICY_VIOLATION = 1008;
const REJECTION_BASE = 4000;
// Outside 4000 + status (status is 400-599), so that a backend's 409 refusal stays a refusal.
const REPLACED = 4900;

/**
 * Close codes of a Strands broker. Browsers cannot read the HTTP status of a refused upgrade, so
 * under `strands.v1` the broker upgrades and closes with `rejection_base + status` instead.
 */
export const CLOSE_CODES = {
  /** The backend closed this client on purpose (`disconnect_connection` without a code). */
  normal: NORMAL,
  /** The broker is shutting down; reconnect to another one. */
  going_away: 1001,
  /** No close frame: the network failed, or the broker's ping went unanswered. */
  abnormal: 1006,
  /** Policy violation: refused for a reason reconnecting would not fix; final. */
  policy_violation: POLICY_VIOLATION,
  /** The client is too slow: its outbound buffer filled up. Transient. */
  try_again_later: 1013,
  /** `4000 + HTTP status` (4400-4599): rejected at the upgrade (4401, 4403, 4409 ...; 4xx final, 5xx transient). */
  rejection_base: REJECTION_BASE,
  /** A newer connection with the same client id took over; final. Outside `4000 + status`: 4409 is a backend's 409 refusal. */
  replaced: REPLACED,
  /** No backend was connected to answer the connection request (503); transient. */
  no_backend: 4503,
  /** The backend did not answer the connection request in time (504); transient. */
  backend_timeout: 4504,
} as const;

/**
 * What a close means to a client: `replaced` (4900) and `refused` (a 4xx rejection, or a
 * policy violation) say "do not come back"; `closed` (1000) is the backend closing it on purpose,
 * final too; `transient` (5xx rejections, 1001, 1006, 1013, 3000-3999, the rest) says reconnect.
 */
export type CloseMeaning = 'replaced' | 'refused' | 'closed' | 'transient';

/** What close `code` means to a client (see CloseMeaning). */
export function closeMeaning(code: number): CloseMeaning {
  if (code === REPLACED) return 'replaced';
  if (isRefusalCloseCode(code)) return 'refused';
  return code === NORMAL ? 'closed' : 'transient';
}

/** The close code for an upgrade refused with an HTTP `status` (400-599). */
export function rejectionCloseCode(status: number): number {
  return REJECTION_BASE + status;
}

/** The HTTP status a `4000 + status` close code carries (`closeCode - 4000` for 4400-4599), else undefined (`replaced` too). */
export function rejectionStatus(closeCode: number): number | undefined {
  return closeCode >= REJECTION_BASE + 400 && closeCode < REJECTION_BASE + 600 ? closeCode - REJECTION_BASE : undefined;
}

/**
 * True for a close that means "do not come back": a 4xx rejection (4000-4499), `replaced` (4900)
 * or a policy violation. 1000 is final too, but as a deliberate close rather than a refusal.
 */
export function isRefusalCloseCode(closeCode: number): boolean {
  return (closeCode >= REJECTION_BASE && closeCode < 4500) || closeCode === REPLACED || closeCode === POLICY_VIOLATION;
}

/** True for a code a backend may ask the broker to close a client with: 1000, or 3000-4999. */
export function isBackendCloseCode(code: number): boolean {
  return code === NORMAL || (Number.isSafeInteger(code) && code >= 3000 && code <= 4999);
}

// The client's lifecycle as one state: the moves it may make, and what `client.state` shows of it.
import type { ClientState } from './types.js';

/**
 * Where the connection is. Finer than the public {@link ClientState}: it tells an open socket
 * not yet known to be accepted from an accepted one, and whether a socket ever opened (which
 * is what `open`'s `reconnected` reports).
 * - `connecting`: the first socket, not open yet.
 * - `retrying`: no socket has opened yet; waiting out a backoff, or the next socket is on its way.
 * - `unconfirmed`: open; what is written on it is held until the connection counts as accepted.
 * - `open`: open and accepted.
 * - `reconnecting`: a socket was open before; waiting out a backoff, or the next one is on its way.
 * - `closed`: final (after `close()`, a rejection, or giving up).
 */
export type Lifecycle = 'connecting' | 'retrying' | 'unconfirmed' | 'open' | 'reconnecting' | 'closed';

/** The states each state may move to; a failed attempt moves a retrying state to itself. */
export const TRANSITIONS: { readonly [S in Lifecycle]: readonly Lifecycle[] } = {
  connecting: ['unconfirmed', 'retrying', 'closed'],
  retrying: ['unconfirmed', 'retrying', 'closed'],
  unconfirmed: ['open', 'reconnecting', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['unconfirmed', 'reconnecting', 'closed'],
  closed: [],
};

/**
 * Checks a move against {@link TRANSITIONS} and returns the new state. A refused move is a bug
 * in the client, not a condition users handle, so it is a plain Error rather than a coded one.
 */
export function move(from: Lifecycle, to: Lifecycle): Lifecycle {
  if (!TRANSITIONS[from].includes(to)) throw new Error(`@strands/browser: no move from ${from} to ${to}`);
  return to;
}

/** Where a connection that dropped (or failed) and will be retried goes: it keeps whether one ever opened. */
export function retryState(from: Lifecycle): Lifecycle {
  return from === 'connecting' || from === 'retrying' ? 'retrying' : 'reconnecting';
}

/** What `client.state` shows: an unconfirmed socket is `open`, retrying is `reconnecting`. */
export function publicState(state: Lifecycle): ClientState {
  return state === 'unconfirmed' ? 'open' : state === 'retrying' ? 'reconnecting' : state;
}

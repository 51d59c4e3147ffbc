// @strands/browser/recovery: sessions with a Strands broker (resume tokens, room history recovery).
// A separate entry so that the core stays within its size budget for pages that do not need it.
import { Session } from './session.js';

export { Session };
export type { RecoveryFailure, SessionEvents, SessionLayer, SessionOutcome } from './session.js';

/**
 * A session for one client: pass it as `connect(url, { session: recovery() })`. The client then
 * keeps its client id and rooms across reconnects, and in rooms with history recovers what it
 * missed (`recovered`) or is told it cannot (`recovery_failed`: reload that room's state).
 * @example
 * const client = connect(['wss://a.example.com/ws/lobby', 'wss://b.example.com/ws/lobby'], { session: recovery() });
 * client.on('recovery_failed', ({ room }) => reload(room));
 */
export function recovery(): Session {
  return new Session();
}

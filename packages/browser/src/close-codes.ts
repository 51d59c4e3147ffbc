// Which WebSocket closes mean "do not come back", by the close codes of @strands/protocol/wire.
// Browsers cannot read the HTTP status of a refused upgrade, so a broker speaking `strands.v1`
// upgrades and closes with 4000 + status.
import { closeMeaning } from '@strands/protocol/wire';
import { RejectedError, StrandsClientError } from './errors.js';

export { STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL } from '@strands/protocol/wire';

/**
 * The error that ends the client for a close the server sent, or undefined when reconnecting
 * makes sense. Final: 4000-4499 (an HTTP 4xx: rejected by the backend, 4409 a 409 like any other),
 * 4900 (replaced by a newer connection with the same client id), 1008 (policy violation) and 1000
 * (the backend closed this client on purpose).
 * Transient: 4500-4599 (an HTTP 5xx: 4503 no backend, 4504 backend timeout), 1001 going away,
 * 1006 network, 1011, 1012 restart, 1013 overload, 3000-3999, and the rest.
 */
export function finalCloseError(code: number, reason: string): StrandsClientError | undefined {
  const meaning = closeMeaning(code);
  if (meaning === 'closed') return new StrandsClientError('server_closed', `closed by the server${reason ? `: ${reason}` : ''}`);
  return meaning === 'transient' ? undefined : new RejectedError(code, reason);
}

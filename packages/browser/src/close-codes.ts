// Which WebSocket closes mean "do not come back". Browsers cannot read the HTTP status of a
// refused upgrade, so a broker speaking `strands.v1` upgrades and closes with 4000 + status.
import { RejectedError, StrandsClientError } from './errors.js';

/** The subprotocol under which the broker reports rejections as close codes. */
export const STRANDS_SUBPROTOCOL = 'strands.v1';

/**
 * Offered beside `strands.v1`; a Strands broker selects it only on an upgrade it is about to
 * close with 4000 + status, so the client knows at `open` that it was refused and writes nothing.
 */
export const STRANDS_REFUSAL_SUBPROTOCOL = 'strands.v1.refusal';

/**
 * The error that ends the client for a close the server sent, or undefined when reconnecting
 * makes sense. Final: 4000-4499 (an HTTP 4xx: rejected by the backend; 4409 replaced by a newer
 * connection), 1008 (policy violation) and 1000 (the backend closed this client on purpose).
 * Transient: 4500-4599 (an HTTP 5xx: 4503 no backend, 4504 backend timeout), 1001 going away,
 * 1006 network, 1011, 1012 restart, 1013 overload, 3000-3999, and the rest.
 */
export function finalCloseError(code: number, reason: string): StrandsClientError | undefined {
  if ((code >= 4000 && code < 4500) || code === 1008) return new RejectedError(code, reason);
  if (code === 1000) return new StrandsClientError('server_closed', `closed by the server${reason ? `: ${reason}` : ''}`);
  return undefined;
}

// Which WebSocket closes mean "do not come back". Browsers cannot read the HTTP status of a
// refused upgrade, so a broker speaking `strands.v1` upgrades and closes with 4000 + status.
import { RejectedError } from './errors.js';

/** The subprotocol under which the broker reports rejections as close codes. */
export const STRANDS_SUBPROTOCOL = 'strands.v1';

/**
 * The terminal error a close means, or undefined when reconnecting makes sense.
 * 4xxx: rejected by the backend (4409: replaced by a newer connection); 1008: policy violation.
 * Everything else (1001 going away, 1006 network, 1011, 1012 restart, 1013 overload) is transient.
 */
export function rejectionOf(code: number, reason: string): RejectedError | undefined {
  return (code >= 4000 && code < 5000) || code === 1008 ? new RejectedError(code, reason) : undefined;
}

// The event line of a resumed session: `new_connection` with `resumed: true` (additive; PyStrands ignores it).
import { nextRequestId } from './event-lines.js';

/** `new_connection` for a client that came back with a valid resume token (same client id and rooms). */
export function resumedConnectionLine(contextJson: string): string {
  return `{"action":"new_connection","request_id":"${nextRequestId()}","params":{"context":${contextJson},"resumed":true}}\n`;
}

// The client events the core hands to backends, encoded by @strands/protocol/wire, with this broker run's ids.
import { randomBytes } from 'node:crypto';
import {
  createRequestIds,
  disconnectedLine as encodeDisconnected,
  newConnectionLine as encodeNewConnection,
  newMessageLine as encodeNewMessage,
  type SafeRequestId,
} from '@strands/protocol/wire';

/**
 * A request id unique within this broker run. Event ids only need to be unique per run; a
 * counter after a random prefix is as good as a UUID here and costs nothing per message.
 */
export const nextRequestId: () => SafeRequestId = createRequestIds(`${randomBytes(4).toString('hex')}-`);

/** `new_message` for a text (or base64-encoded binary) client frame. */
export function newMessageLine(message: string, contextJson: string, base64: boolean): string {
  return encodeNewMessage(nextRequestId(), message, contextJson, base64);
}

/** `new_connection` after a client was upgraded. */
export function newConnectionLine(contextJson: string): string {
  return encodeNewConnection(nextRequestId(), contextJson);
}

// What every `disconnected` line of the protocol's encoder starts with (a test holds it so).
const DISCONNECTED_START = '{"action":"disconnected",';

/** `disconnected` once a client is gone, with the close code and reason where known. */
export function disconnectedLine(contextJson: string, code: number, reason: string): string {
  return encodeDisconnected(nextRequestId(), contextJson, code, reason);
}

/** True for a line `disconnectedLine` built: the client's last event (a prefix check, no parse). */
export function isDisconnectedLine(line: string): boolean {
  return line.startsWith(DISCONNECTED_START);
}

/**
 * The line as a backend that acknowledges gets it: `event_id` in params, and on a redelivery
 * `redelivered` with the count of deliveries (this one included). Every event line ends with the
 * params' and the frame's closing braces, so the fields go in just before them.
 */
export function withDelivery(line: string, id: string, deliveries: number): string {
  const redelivery = deliveries > 1 ? `,"redelivered":true,"delivery_count":${deliveries}` : '';
  return `${line.slice(0, -3)},"event_id":${JSON.stringify(id)}${redelivery}}}\n`;
}

// Encoders of the client events the core hands to backends: string concatenation, JSON.stringify only for values.
import { randomBytes } from 'node:crypto';

// Event request ids only need to be unique per broker run; a counter after a random prefix is
// as good as a UUID here and costs nothing per message.
const runPrefix = randomBytes(4).toString('hex');
let sequence = 0;

/** A request id unique within this broker run. */
export function nextRequestId(): string {
  sequence += 1;
  return `${runPrefix}-${sequence.toString(36)}`;
}

/** `new_message` for a text (or base64-encoded binary) client frame. */
export function newMessageLine(message: string, contextJson: string, base64: boolean): string {
  const encoding = base64 ? ',"encoding":"base64"' : '';
  return `{"action":"new_message","request_id":"${nextRequestId()}","params":{"message":${JSON.stringify(message)},"context":${contextJson}${encoding}}}\n`;
}

/** `new_connection` after a client was upgraded. */
export function newConnectionLine(contextJson: string): string {
  return `{"action":"new_connection","request_id":"${nextRequestId()}","params":{"context":${contextJson}}}\n`;
}

const DISCONNECTED_START = '{"action":"disconnected",';

/** `disconnected` once a client is gone, with the close code and reason where known. */
export function disconnectedLine(contextJson: string, code: number, reason: string): string {
  return `${DISCONNECTED_START}"request_id":"${nextRequestId()}","params":{"context":${contextJson},"code":${code},"reason":${JSON.stringify(reason)}}}\n`;
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

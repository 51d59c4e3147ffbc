// Encoders of the frames the broker sends to backends: string concatenation, JSON.stringify only for values.
import { HEARTBEAT_REQUEST_ID, PROTOCOL_VERSION, type ErrorReplyCode } from '@strands/protocol';
import type { ConnectionRequestParams } from '../core/decisions.js';
import { nextRequestId } from '../core/event-lines.js';
import { VERSION } from '../version.js';

export { newMessageLine, newConnectionLine, disconnectedLine } from '../core/event-lines.js';

/** The broker's name and version, as `hello_reply` states it. */
export const BROKER_NAME = `strands-broker/${VERSION}`;

/** Capabilities the broker states in `hello_reply`. */
export const BROKER_CAPABILITIES = ['rooms', 'room_members', 'disconnect_connection', 'binary_base64', 'error_reply'] as const;

/** The heartbeat line, identical every time. */
export const HEARTBEAT_LINE = `{"action":"heartbeat","request_id":"${HEARTBEAT_REQUEST_ID}","params":{}}\n`;

export type { ConnectionRequestParams } from '../core/decisions.js';

/** `connection_request`, sent before the upgrade is answered. */
export function connectionRequestLine(requestId: string, params: ConnectionRequestParams): string {
  return `{"action":"connection_request","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

/** PyStrands' `error` event, e.g. a connection request this backend did not answer in time. */
export function errorEventLine(context: Record<string, unknown>, error: string): string {
  return `{"action":"error","request_id":"${nextRequestId()}","params":{"context":${JSON.stringify(context)},"error":${JSON.stringify(error)}}}\n`;
}

/** `hello_reply`, answering a backend's `hello`. */
export function helloReplyLine(requestId: string, accepted: boolean, reason?: string, extraCapabilities: readonly string[] = []): string {
  const params = accepted
    ? { accepted, broker: BROKER_NAME, protocol_version: PROTOCOL_VERSION, capabilities: [...BROKER_CAPABILITIES, ...extraCapabilities] }
    : { accepted, reason, broker: BROKER_NAME, protocol_version: PROTOCOL_VERSION };
  return `{"action":"hello_reply","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

/** `room_members_reply`, answering `room_members`. */
export function roomMembersReplyLine(requestId: string, roomId: string, membersJson: string[]): string {
  return `{"action":"room_members_reply","request_id":${JSON.stringify(requestId)},"params":{"room_id":${JSON.stringify(roomId)},"members":[${membersJson.join(',')}]}}\n`;
}

/** `error_reply`: the broker could not act on the backend's frame with this request id. */
export function errorReplyLine(requestId: string, code: ErrorReplyCode, message: string, action?: string): string {
  const params = action === undefined ? { code, message } : { code, message, action };
  return `{"action":"error_reply","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

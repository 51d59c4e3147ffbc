// Encoders of the frames the broker sends to backends: string concatenation, JSON.stringify only for values.
import { randomBytes } from 'node:crypto';
import { HEARTBEAT_REQUEST_ID, PROTOCOL_VERSION, type ErrorReplyCode } from '@strands/protocol';
import { VERSION } from '../version.js';

// Event request ids only need to be unique per broker run; a counter after a random prefix is
// as good as a UUID here and costs nothing per message.
const runPrefix = randomBytes(4).toString('hex');
let sequence = 0;

function nextRequestId(): string {
  sequence += 1;
  return `${runPrefix}-${sequence.toString(36)}`;
}

/** The broker's name and version, as `hello_reply` states it. */
export const BROKER_NAME = `strands-broker/${VERSION}`;

/** Capabilities the broker states in `hello_reply`. */
export const BROKER_CAPABILITIES = ['rooms', 'room_members', 'disconnect_connection', 'binary_base64', 'error_reply'] as const;

/** The heartbeat line, identical every time. */
export const HEARTBEAT_LINE = `{"action":"heartbeat","request_id":"${HEARTBEAT_REQUEST_ID}","params":{}}\n`;

/** `new_message` for a text (or base64-encoded binary) client frame. */
export function newMessageLine(message: string, contextJson: string, base64: boolean): string {
  const encoding = base64 ? ',"encoding":"base64"' : '';
  return `{"action":"new_message","request_id":"${nextRequestId()}","params":{"message":${JSON.stringify(message)},"context":${contextJson}${encoding}}}\n`;
}

/** `new_connection` after a client was upgraded. */
export function newConnectionLine(contextJson: string): string {
  return `{"action":"new_connection","request_id":"${nextRequestId()}","params":{"context":${contextJson}}}\n`;
}

/** `disconnected` once a client is gone, with the close code and reason where known. */
export function disconnectedLine(contextJson: string, code: number, reason: string): string {
  return `{"action":"disconnected","request_id":"${nextRequestId()}","params":{"context":${contextJson},"code":${code},"reason":${JSON.stringify(reason)}}}\n`;
}

/** Everything a `connection_request` carries. */
export interface ConnectionRequestParams {
  headers: Record<string, string[]>;
  url: string;
  remote_addr: string;
  query: Record<string, string[]>;
}

/** `connection_request`, sent before the upgrade is answered. */
export function connectionRequestLine(requestId: string, params: ConnectionRequestParams): string {
  return `{"action":"connection_request","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

/** PyStrands' `error` event, e.g. a connection request this backend did not answer in time. */
export function errorEventLine(context: Record<string, unknown>, error: string): string {
  return `{"action":"error","request_id":"${nextRequestId()}","params":{"context":${JSON.stringify(context)},"error":${JSON.stringify(error)}}}\n`;
}

/** `hello_reply`, answering a backend's `hello`. */
export function helloReplyLine(requestId: string, accepted: boolean, reason?: string): string {
  const params = accepted
    ? { accepted, broker: BROKER_NAME, protocol_version: PROTOCOL_VERSION, capabilities: BROKER_CAPABILITIES }
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

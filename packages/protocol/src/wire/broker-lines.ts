// Encoders of the lines a broker sends to backends: string concatenation, JSON.stringify only
// for values (these run once per client message and event). Each line ends with its `\n`.
import { HEARTBEAT_REQUEST_ID, PROTOCOL_VERSION } from './actions.js';
import type { ErrorReplyCode } from './error-codes.js';
import type { Headers, JsonObject, Query } from './json-types.js';
import type { SafeRequestId } from './request-ids.js';

/** The heartbeat line, identical every time. */
export const HEARTBEAT_LINE = `{"action":"heartbeat","request_id":"${HEARTBEAT_REQUEST_ID}","params":{}}\n`;

/**
 * A client's Context as JSON, once per client: every event line embeds it as is. One
 * JSON.stringify gives a flat string (a concatenation would be kept as a tree of pieces).
 */
export function contextJson(clientId: string, roomId: string, metadata: JsonObject): string {
  return JSON.stringify({ client_id: clientId, room_id: roomId, metadata });
}

/**
 * `new_message` for a text client frame, or a binary one whose bytes `message` holds as base64.
 * `contextJson` is the client's Context as JSON (see `contextJson`).
 */
export function newMessageLine(requestId: SafeRequestId, message: string, contextJson: string, base64: boolean): string {
  const encoding = base64 ? ',"encoding":"base64"' : '';
  return `{"action":"new_message","request_id":"${requestId}","params":{"message":${JSON.stringify(message)},"context":${contextJson}${encoding}}}\n`;
}

/** `new_connection` after a client was upgraded. */
export function newConnectionLine(requestId: SafeRequestId, contextJson: string): string {
  return `{"action":"new_connection","request_id":"${requestId}","params":{"context":${contextJson}}}\n`;
}

/** `disconnected` once a client is gone, with its close code (an integer) and reason. */
export function disconnectedLine(requestId: SafeRequestId, contextJson: string, code: number, reason: string): string {
  return `{"action":"disconnected","request_id":"${requestId}","params":{"context":${contextJson},"code":${code},"reason":${JSON.stringify(reason)}}}\n`;
}

/** Everything a `connection_request` carries. */
export interface ConnectionRequestParams {
  headers: Headers;
  url: string;
  remote_addr: string;
  query?: Query;
}

/** `connection_request`, sent before the upgrade is answered; the backend echoes `requestId`. */
export function connectionRequestLine(requestId: string, params: ConnectionRequestParams): string {
  return `{"action":"connection_request","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

/** PyStrands' `error` event, e.g. a connection request a backend did not answer in time. */
export function errorEventLine(requestId: SafeRequestId, context: JsonObject, error: string): string {
  return `{"action":"error","request_id":"${requestId}","params":{"context":${JSON.stringify(context)},"error":${JSON.stringify(error)}}}\n`;
}

/** What `hello_reply` says: accepted with the broker's capabilities, or refused with a reason. */
export type HelloAnswer = { accepted: true; capabilities: readonly string[] } | { accepted: false; reason?: string | undefined };

/** `hello_reply`, answering a backend's `hello`; `broker` is the broker's name and version. */
export function helloReplyLine(requestId: string, broker: string, answer: HelloAnswer): string {
  const params = answer.accepted
    ? { accepted: true, broker, protocol_version: PROTOCOL_VERSION, capabilities: answer.capabilities }
    : { accepted: false, reason: answer.reason, broker, protocol_version: PROTOCOL_VERSION };
  return `{"action":"hello_reply","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

/** One member of `room_members_reply`, as JSON. */
export function roomMemberJson(clientId: string, metadata: JsonObject): string {
  return `{"client_id":${JSON.stringify(clientId)},"metadata":${JSON.stringify(metadata)}}`;
}

/** `room_members_reply`, answering `room_members`; each member already JSON (see `roomMemberJson`). */
export function roomMembersReplyLine(requestId: string, roomId: string, membersJson: readonly string[]): string {
  return `{"action":"room_members_reply","request_id":${JSON.stringify(requestId)},"params":{"room_id":${JSON.stringify(roomId)},"members":[${membersJson.join(',')}]}}\n`;
}

/** `error_reply`: the broker could not act on the backend's frame with this request id. */
export function errorReplyLine(requestId: string, code: ErrorReplyCode, message: string, action?: string): string {
  const params = action === undefined ? { code, message } : { code, message, action };
  return `{"action":"error_reply","request_id":${JSON.stringify(requestId)},"params":${JSON.stringify(params)}}\n`;
}

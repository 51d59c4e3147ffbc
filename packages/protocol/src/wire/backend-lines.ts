// Encoders of the lines a backend sends to a broker: string concatenation, JSON.stringify only
// for values (these run once per message sent). Each line ends with its `\n`.
import { PROTOCOL_VERSION } from './actions.js';
import type { ResponseFrame } from './backend-frame-types.js';
import type { SafeRequestId } from './request-ids.js';

// `base64`: `message` is bytes as base64 (`encoding: "base64"`), for clients to get as a binary frame.
const encoding = (base64: boolean): string => (base64 ? ',"encoding":"base64"' : '');

/** `message_to_room`: to every client in a room; with `base64`, `message` holds bytes as base64. */
export function messageToRoomLine(requestId: SafeRequestId, roomId: string, message: string, base64 = false): string {
  return '{"action":"message_to_room","request_id":"' + requestId + '","params":{"room_id":' + JSON.stringify(roomId) + ',"message":' + JSON.stringify(message) + encoding(base64) + '}}\n';
}

/** `message_to_connection`: to one client (the key is `conn_id`, the value a client id); `base64` as above. */
export function messageToConnectionLine(requestId: SafeRequestId, clientId: string, message: string, base64 = false): string {
  return '{"action":"message_to_connection","request_id":"' + requestId + '","params":{"conn_id":' + JSON.stringify(clientId) + ',"message":' + JSON.stringify(message) + encoding(base64) + '}}\n';
}

/** `broadcast`: to every connected client; `base64` as above. */
export function broadcastLine(requestId: SafeRequestId, message: string, base64 = false): string {
  return '{"action":"broadcast","request_id":"' + requestId + '","params":{"message":' + JSON.stringify(message) + encoding(base64) + '}}\n';
}

/** `join_room` or `leave_room` for one client. */
export function roomChangeLine(requestId: SafeRequestId, action: 'join_room' | 'leave_room', clientId: string, roomId: string): string {
  return '{"action":"' + action + '","request_id":"' + requestId + '","params":{"conn_id":' + JSON.stringify(clientId) + ',"room_id":' + JSON.stringify(roomId) + '}}\n';
}

/** `disconnect_connection`: close a client with `code` (1000 or 3000-4999) and `reason`, both optional. */
export function disconnectConnectionLine(requestId: SafeRequestId, clientId: string, code?: number, reason?: string): string {
  return '{"action":"disconnect_connection","request_id":"' + requestId + '","params":' + JSON.stringify({ conn_id: clientId, code, reason }) + '}\n';
}

/** `room_members`: who is in a room; the broker answers `room_members_reply` with `requestId`. */
export function roomMembersLine(requestId: string, roomId: string): string {
  return '{"action":"room_members","request_id":' + JSON.stringify(requestId) + ',"params":{"room_id":' + JSON.stringify(roomId) + '}}\n';
}

/** `hello`: a backend introduces itself, with the broker's token where it needs one. */
export function helloLine(requestId: SafeRequestId, name: string, token?: string, capabilities?: readonly string[]): string {
  return '{"action":"hello","request_id":"' + requestId + '","params":' + JSON.stringify({ name, protocol_version: PROTOCOL_VERSION, token, capabilities }) + '}\n';
}

/** `response` to a `connection_request` (same `requestId`): `{accepted, client_id, room_id, metadata}` or a rejection. */
export function responseLine(requestId: string, params: ResponseFrame['params']): string {
  return '{"action":"response","request_id":' + JSON.stringify(requestId) + ',"params":' + JSON.stringify(params) + '}\n';
}

/** `ack`: the backend is done with these client events (their `event_id`s); ids are JSON-escaped. */
export function ackLine(requestId: SafeRequestId, ids: readonly string[]): string {
  return '{"action":"ack","request_id":"' + requestId + '","params":{"ids":' + JSON.stringify(ids) + '}}\n';
}

// Frames on the broker link, written and read by @strands/protocol/wire (zod-free, hand-checked):
// this file only adds the SDK's request ids, its answer shapes, and the PyStrands Go broker's quirk.
import {
  ACK_CAPABILITY,
  FrameError,
  ackLine as encodeAck,
  broadcastLine as encodeBroadcast,
  checkBrokerFrame,
  createRequestIds,
  disconnectConnectionLine,
  helloLine as encodeHello,
  messageToConnectionLine as encodeMessageToConnection,
  messageToRoomLine as encodeMessageToRoom,
  responseLine as encodeResponse,
  roomChangeLine as encodeRoomChange,
  roomMembersLine as encodeRoomMembers,
  type BrokerFrame,
  type JsonObject,
  type SafeRequestId,
} from '@strands/protocol/wire';

const requestIds = createRequestIds('b');
/** A request id unique within this process; a counter is enough, brokers only echo it back. */
export function nextRequestId(): SafeRequestId {
  return requestIds();
}

/** What the sends take: text, or bytes for clients to get as a binary frame (sent as base64, `encoding: "base64"`). */
export type OutgoingMessage = string | Uint8Array;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function messageToRoomLine(roomId: string, message: OutgoingMessage): string {
  return typeof message === 'string' ? encodeMessageToRoom(requestIds(), roomId, message) : encodeMessageToRoom(requestIds(), roomId, base64(message), true);
}

export function messageToConnectionLine(clientId: string, message: OutgoingMessage): string {
  return typeof message === 'string'
    ? encodeMessageToConnection(requestIds(), clientId, message)
    : encodeMessageToConnection(requestIds(), clientId, base64(message), true);
}

/**
 * `message_to_connection` from texts already JSON (a client id and a message as they arrived in a
 * `new_message`): the line `messageToConnectionLine` writes for the same values (a test holds them together).
 */
export function messageToConnectionJsonLine(clientIdJson: string, messageJson: string): string {
  return '{"action":"message_to_connection","request_id":"' + requestIds() + '","params":{"conn_id":' + clientIdJson + ',"message":' + messageJson + '}}\n';
}

export function broadcastLine(message: OutgoingMessage): string {
  return typeof message === 'string' ? encodeBroadcast(requestIds(), message) : encodeBroadcast(requestIds(), base64(message), true);
}

export function roomChangeLine(action: 'join_room' | 'leave_room', clientId: string, roomId: string): string {
  return encodeRoomChange(requestIds(), action, clientId, roomId);
}

export function disconnectLine(clientId: string, code: number | undefined, reason: string | undefined): string {
  return disconnectConnectionLine(requestIds(), clientId, code, reason);
}

export function roomMembersLine(requestId: string, roomId: string): string {
  return encodeRoomMembers(requestId, roomId);
}

/** `hello`, announcing `ack` when the backend acknowledges: Strands brokers then send event ids and wait for acknowledgements (PyStrands brokers ignore hello). */
export function helloLine(name: string, token: string | undefined, acknowledge = true): string {
  return encodeHello(requestIds(), name, token, acknowledge ? [ACK_CAPABILITY] : undefined);
}

/** `ack` for a batch of handled events. */
export function ackLine(ids: readonly string[]): string {
  return encodeAck(requestIds(), ids);
}

/** The answer to a connection request; a rejection carries only what brokers read for it. */
export function responseLine(
  requestId: string,
  answer: { accepted: true; clientId: string; roomId: string; metadata: JsonObject } | { accepted: false; status: number; reason: string | undefined },
): string {
  const params = answer.accepted
    ? { accepted: true, client_id: answer.clientId, room_id: answer.roomId, metadata: answer.metadata }
    : { accepted: false, status: answer.status, reason: answer.reason };
  return encodeResponse(requestId, params);
}

/** One incoming line: a typed frame, an error saying why not, or `null` for an unknown action (ignored). */
export type DecodedFrame = { frame: BrokerFrame } | { error: FrameError } | null;

/**
 * Decodes one line from a broker with the protocol's hand checker (this runs once per client
 * message): the verdict of its zod schemas, without zod. A missing or null context metadata
 * reads as `{}`, as it always did here; optional params sent as `null` read as absent.
 */
export function decodeBrokerLine(text: string): DecodedFrame {
  const checked = checkBrokerFrame(text);
  if (checked.ok) return { frame: checked.frame };
  const { code, message, action, requestId, cause } = checked.refusal;
  return code === 'unknown_action' ? null : { error: new FrameError(code, message, { action, requestId, cause }) };
}

/**
 * The PyStrands Go broker passes the whole `response` params as later contexts' metadata
 * (`{accepted, client_id, room_id, metadata}`); handlers must see only the backend's own metadata.
 */
export function unwrapMetadata(metadata: JsonObject): JsonObject {
  if (typeof metadata.accepted === 'boolean' && 'client_id' in metadata && 'room_id' in metadata) {
    const inner = metadata.metadata;
    return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as JsonObject) : {};
  }
  return metadata;
}

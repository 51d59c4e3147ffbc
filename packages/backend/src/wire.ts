// Frames on the broker link: outgoing frames built by string concatenation (JSON.stringify only
// for values), incoming lines read with a hand-checked fast path for the per-message actions.
import { parseFrame, FrameError, PROTOCOL_VERSION, type BrokerFrame, type Context, type JsonObject } from '@strands/protocol';

let sequence = 0;
/** A request id unique within this process; a counter is enough, brokers only echo it back. */
export function nextRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `b${sequence.toString(36)}`;
}

function line(action: string, requestId: string, params: string): string {
  return '{"action":"' + action + '","request_id":' + JSON.stringify(requestId) + ',"params":' + params + '}\n';
}

export function messageToRoomLine(roomId: string, message: string): string {
  return line('message_to_room', nextRequestId(), '{"room_id":' + JSON.stringify(roomId) + ',"message":' + JSON.stringify(message) + '}');
}

export function messageToConnectionLine(clientId: string, message: string): string {
  return line('message_to_connection', nextRequestId(), '{"conn_id":' + JSON.stringify(clientId) + ',"message":' + JSON.stringify(message) + '}');
}

export function broadcastLine(message: string): string {
  return line('broadcast', nextRequestId(), '{"message":' + JSON.stringify(message) + '}');
}

export function roomChangeLine(action: 'join_room' | 'leave_room', clientId: string, roomId: string): string {
  return line(action, nextRequestId(), '{"conn_id":' + JSON.stringify(clientId) + ',"room_id":' + JSON.stringify(roomId) + '}');
}

export function disconnectLine(clientId: string, code: number | undefined, reason: string | undefined): string {
  return line('disconnect_connection', nextRequestId(), JSON.stringify({ conn_id: clientId, code, reason }));
}

export function roomMembersLine(requestId: string, roomId: string): string {
  return line('room_members', requestId, '{"room_id":' + JSON.stringify(roomId) + '}');
}

export function helloLine(name: string, token: string | undefined): string {
  return line('hello', nextRequestId(), JSON.stringify({ name, protocol_version: PROTOCOL_VERSION, token }));
}

/** The answer to a connection request; a rejection carries only what brokers read for it. */
export function responseLine(
  requestId: string,
  answer: { accepted: true; clientId: string; roomId: string; metadata: JsonObject } | { accepted: false; status: number; reason: string | undefined },
): string {
  const params = answer.accepted
    ? { accepted: true, client_id: answer.clientId, room_id: answer.roomId, metadata: answer.metadata }
    : { accepted: false, status: answer.status, reason: answer.reason };
  return line('response', requestId, JSON.stringify(params));
}

/** One incoming line: a typed frame, an error saying why not, or `null` for an unknown action (ignored). */
export type DecodedFrame = { frame: BrokerFrame } | { error: FrameError } | null;

/**
 * Decodes one line from a broker. The per-message actions are checked by hand (this runs once per
 * client message); the rarer ones go through the protocol's zod schemas.
 */
export function decodeBrokerLine(text: string): DecodedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { error: new FrameError('invalid_json', 'frame is not valid JSON', { cause }) };
  }
  if (typeof value === 'object' && value !== null) {
    const raw = value as { action?: unknown; request_id?: unknown; params?: { context?: unknown; message?: unknown } };
    const params = raw.params;
    if (typeof raw.request_id === 'string' && typeof params === 'object' && params !== null) {
      switch (raw.action) {
        case 'new_message':
          if (typeof params.message === 'string' && isContext(params.context)) return { frame: value as BrokerFrame };
          break;
        case 'new_connection':
        case 'disconnected':
          if (isContext(params.context)) return { frame: value as BrokerFrame };
          break;
        case 'heartbeat':
          return { frame: value as BrokerFrame };
      }
    }
  }
  const parsed = parseFrame(value, 'broker');
  if (parsed.ok) return { frame: parsed.frame };
  return parsed.error.code === 'unknown_action' ? null : { error: parsed.error };
}

function isContext(value: unknown): value is Context {
  if (typeof value !== 'object' || value === null) return false;
  const context = value as Partial<Context>;
  if (typeof context.client_id !== 'string' || typeof context.room_id !== 'string') return false;
  // A missing or null metadata is read as empty rather than refusing the whole event.
  if (typeof context.metadata !== 'object' || context.metadata === null) context.metadata = {};
  return true;
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

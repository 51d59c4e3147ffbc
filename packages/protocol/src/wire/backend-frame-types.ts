// Types of the frames a backend sends to a broker, as the checkers return them.
// Optional params read `null` as absent (`undefined`); every object keeps keys it does not know.
import type { Frame } from './broker-frame-types.js';
import type { JsonObject } from './json-types.js';

export type ResponseFrame = Frame<
  'response',
  {
    accepted: boolean;
    client_id?: string | undefined;
    room_id?: string | undefined;
    metadata?: JsonObject | undefined;
    status?: number | undefined;
    reason?: string | undefined;
  }
>;
/** `encoding: "base64"` (Strands-only): `message` holds bytes, delivered to clients as a binary frame. */
type Encoding = { encoding?: 'base64' | undefined };
export type MessageToRoomFrame = Frame<'message_to_room', { room_id: string; message: string } & Encoding>;
export type MessageToConnectionFrame = Frame<'message_to_connection', { conn_id: string; message: string } & Encoding>;
export type BroadcastFrame = Frame<'broadcast', { message: string } & Encoding>;
export type HelloFrame = Frame<'hello', { name: string; protocol_version: number; token?: string | undefined; capabilities?: string[] | undefined }>;
export type JoinRoomFrame = Frame<'join_room', { conn_id: string; room_id: string }>;
export type LeaveRoomFrame = Frame<'leave_room', { conn_id: string; room_id: string }>;
export type DisconnectConnectionFrame = Frame<'disconnect_connection', { conn_id: string; code?: number | undefined; reason?: string | undefined }>;
export type RoomMembersFrame = Frame<'room_members', { room_id: string }>;
export type AckFrame = Frame<'ack', { ids: string[] }>;
export type RoomHistoryFrame = Frame<'room_history', { room_id: string; since?: number | undefined; limit?: number | undefined }>;
export type SetRoomHistoryFrame = Frame<'set_room_history', { room_id: string; size: number; ttl_ms?: number | undefined }>;

/** Every frame a backend may send to a broker, discriminated on `action`. */
export type BackendFrame =
  | ResponseFrame
  | MessageToRoomFrame
  | MessageToConnectionFrame
  | BroadcastFrame
  | HelloFrame
  | JoinRoomFrame
  | LeaveRoomFrame
  | DisconnectConnectionFrame
  | RoomMembersFrame
  | AckFrame
  | RoomHistoryFrame
  | SetRoomHistoryFrame;
export type BackendAction = BackendFrame['action'];

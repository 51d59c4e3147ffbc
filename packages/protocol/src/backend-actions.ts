// Frames backends send to the broker: the four PyStrands actions and the Strands-only additions.
import { z } from 'zod';
import { frameSchema, optional } from './frame.js';
import { JsonObjectSchema } from './json.js';

/** Answer to `connection_request`, same request_id. */
export const ResponseFrameSchema = frameSchema('response', {
  accepted: z.boolean(),
  // PyStrands answers `{"accepted": false}` alone when its handler raised, so the rest is optional.
  client_id: optional(z.string()),
  room_id: optional(z.string()),
  metadata: optional(JsonObjectSchema),
  /** Strands-only: HTTP status for a rejection (default 403). */
  status: optional(z.number().int().min(400).max(599)),
  /** Strands-only: why the client was rejected; shown to the client. */
  reason: optional(z.string()),
});

/**
 * Strands-only: `"base64"` when `message` holds bytes as base64, for clients to get as a binary
 * WebSocket frame (a broker refuses a `message` that is not base64 with `invalid_params`).
 * PyStrands brokers ignore it and deliver the base64 text.
 */
const encoding = optional(z.literal('base64'));

/** Send to every client in a room. */
export const MessageToRoomFrameSchema = frameSchema('message_to_room', {
  room_id: z.string(),
  message: z.string(),
  encoding,
});

/** Send to one client; the key is `conn_id` although it holds a `client_id`. */
export const MessageToConnectionFrameSchema = frameSchema('message_to_connection', {
  conn_id: z.string(),
  message: z.string(),
  encoding,
});

/** Send to every connected client. */
export const BroadcastFrameSchema = frameSchema('broadcast', { message: z.string(), encoding });

/** Strands-only: a backend introduces itself; required before anything else when the broker has a token. */
export const HelloFrameSchema = frameSchema('hello', {
  name: z.string(),
  protocol_version: z.number().int(),
  token: optional(z.string()),
  capabilities: optional(z.array(z.string())),
});

/** Strands-only: add a connection to a room (a connection may be in several). */
export const JoinRoomFrameSchema = frameSchema('join_room', {
  conn_id: z.string(),
  room_id: z.string(),
});

/** Strands-only: remove a connection from a room. */
export const LeaveRoomFrameSchema = frameSchema('leave_room', {
  conn_id: z.string(),
  room_id: z.string(),
});

/** Strands-only: close a client's WebSocket. */
export const DisconnectConnectionFrameSchema = frameSchema('disconnect_connection', {
  conn_id: z.string(),
  /** WebSocket close code: 1000, or 3000-4999 (default 1000); brokers refuse the others. */
  code: optional(z.union([z.literal(1000), z.number().int().min(3000).max(4999)])),
  reason: optional(z.string()),
});

/** Strands-only: ask who is in a room; the broker answers `room_members_reply`. */
export const RoomMembersFrameSchema = frameSchema('room_members', { room_id: z.string() });

/**
 * Strands-only, from a backend that announced the `ack` capability: it is done with these client
 * events (their `event_id`s), in batches; ids the broker no longer holds are ignored.
 */
export const AckFrameSchema = frameSchema('ack', { ids: z.array(z.string()) });

/**
 * Strands-only: read a room's history: what it holds after offset `since` (oldest first, at most
 * `limit`), or without `since` its latest `limit`; the broker answers `room_history_reply`.
 */
export const RoomHistoryFrameSchema = frameSchema('room_history', {
  room_id: z.string(),
  since: optional(z.number().int().min(0)),
  limit: optional(z.number().int().min(1)),
});

/** Strands-only: keep the last `size` messages of one room (0: no history), each at most `ttl_ms`. */
export const SetRoomHistoryFrameSchema = frameSchema('set_room_history', {
  room_id: z.string(),
  size: z.number().int().min(0),
  ttl_ms: optional(z.number().int().min(1)),
});

/** Every frame a backend may send to a broker, discriminated on `action`. */
export const BackendFrameSchema = z.discriminatedUnion('action', [
  ResponseFrameSchema,
  MessageToRoomFrameSchema,
  MessageToConnectionFrameSchema,
  BroadcastFrameSchema,
  HelloFrameSchema,
  JoinRoomFrameSchema,
  LeaveRoomFrameSchema,
  DisconnectConnectionFrameSchema,
  RoomMembersFrameSchema,
  AckFrameSchema,
  RoomHistoryFrameSchema,
  SetRoomHistoryFrameSchema,
]);

export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;
export type MessageToRoomFrame = z.infer<typeof MessageToRoomFrameSchema>;
export type MessageToConnectionFrame = z.infer<typeof MessageToConnectionFrameSchema>;
export type BroadcastFrame = z.infer<typeof BroadcastFrameSchema>;
export type HelloFrame = z.infer<typeof HelloFrameSchema>;
export type JoinRoomFrame = z.infer<typeof JoinRoomFrameSchema>;
export type LeaveRoomFrame = z.infer<typeof LeaveRoomFrameSchema>;
export type DisconnectConnectionFrame = z.infer<typeof DisconnectConnectionFrameSchema>;
export type RoomMembersFrame = z.infer<typeof RoomMembersFrameSchema>;
export type AckFrame = z.infer<typeof AckFrameSchema>;
export type RoomHistoryFrame = z.infer<typeof RoomHistoryFrameSchema>;
export type SetRoomHistoryFrame = z.infer<typeof SetRoomHistoryFrameSchema>;
export type BackendFrame = z.infer<typeof BackendFrameSchema>;
export type BackendAction = BackendFrame['action'];

export { PROTOCOL_VERSION } from './wire/actions.js';

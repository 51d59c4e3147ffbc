// Frames the broker sends to backends: the six PyStrands actions and the Strands-only replies.
import { z } from 'zod';
import { frameSchema, optional } from './frame.js';
import { ERROR_REPLY_CODES } from './wire/error-codes.js';
import { ContextSchema, HeadersSchema, JsonObjectSchema, QuerySchema } from './json.js';

/** Sent before the WebSocket upgrade; the backend answers with `response` and the same request_id. */
export const ConnectionRequestFrameSchema = frameSchema('connection_request', {
  headers: HeadersSchema,
  url: z.string(),
  remote_addr: z.string(),
  /** Strands-only: the parsed query string, since browsers cannot set headers on a WebSocket. */
  query: optional(QuerySchema),
});

/**
 * Strands-only, for a backend that announced the `ack` capability in `hello`: every client event
 * carries its `event_id` (acknowledge it with `ack`), and a redelivery says so with the count of
 * deliveries, this one included (2 or more). PyStrands peers never see these params.
 */
const deliveryParams = {
  event_id: optional(z.string()),
  redelivered: optional(z.boolean()),
  delivery_count: optional(z.number().int().min(1)),
};

/** A client was accepted and upgraded. */
export const NewConnectionFrameSchema = frameSchema('new_connection', {
  context: ContextSchema,
  /** Strands-only: the client resumed its session (same client id and rooms) with a resume token. */
  resumed: optional(z.boolean()),
  ...deliveryParams,
});

/** A text frame from a client. */
export const NewMessageFrameSchema = frameSchema('new_message', {
  message: z.string(),
  context: ContextSchema,
  /** Strands-only: `"base64"` when the client sent a binary frame and `message` holds its bytes. */
  encoding: optional(z.literal('base64')),
  ...deliveryParams,
});

/** A client's socket closed. */
export const DisconnectedFrameSchema = frameSchema('disconnected', {
  context: ContextSchema,
  /** Strands-only: the WebSocket close code and reason, where known. */
  code: optional(z.number().int()),
  reason: optional(z.string()),
  ...deliveryParams,
});

/** PyStrands' error event, e.g. a connection request that could not be handled. */
export const ErrorFrameSchema = frameSchema('error', {
  context: JsonObjectSchema,
  error: z.string(),
  ...deliveryParams,
});

/** Liveness probe, `request_id` is `"heartbeat"`; no reply is expected. */
export const HeartbeatFrameSchema = frameSchema('heartbeat', {});

/** Strands-only: the broker's answer to `hello`. */
export const HelloReplyFrameSchema = frameSchema('hello_reply', {
  accepted: z.boolean(),
  reason: optional(z.string()),
  broker: optional(z.string()),
  protocol_version: optional(z.number().int()),
  capabilities: optional(z.array(z.string())),
});

/** Strands-only: one member of a room, as `room_members_reply` lists it. */
export const RoomMemberSchema = z.looseObject({
  client_id: z.string(),
  metadata: JsonObjectSchema,
});

/** Strands-only: answer to `room_members`, same request_id. */
export const RoomMembersReplyFrameSchema = frameSchema('room_members_reply', {
  room_id: z.string(),
  members: z.array(RoomMemberSchema),
});

export { ERROR_REPLY_CODES } from './wire/error-codes.js';
export type { ErrorReplyCode } from './wire/error-codes.js';

/** Strands-only: the broker could not act on a backend's frame (same request_id as that frame). */
export const ErrorReplyFrameSchema = frameSchema('error_reply', {
  code: z.enum(ERROR_REPLY_CODES),
  message: z.string(),
  /** The action of the frame refused, where it could be read. */
  action: optional(z.string()),
});

/** Strands-only: one message of a room's history, as `room_history_reply` lists it. */
export const HistoryPublicationSchema = z.looseObject({
  offset: z.number().int().min(1),
  message: z.string(),
  encoding: z.literal('base64').optional(),
});

/** Strands-only: answer to `room_history`: the room's epoch, its top offset, and the publications asked for. */
export const RoomHistoryReplyFrameSchema = frameSchema('room_history_reply', {
  room_id: z.string(),
  epoch: z.string(),
  offset: z.number().int().min(0),
  publications: z.array(HistoryPublicationSchema),
});

/** Every frame a broker may send to a backend, discriminated on `action`. */
export const BrokerFrameSchema = z.discriminatedUnion('action', [
  ConnectionRequestFrameSchema,
  NewConnectionFrameSchema,
  NewMessageFrameSchema,
  DisconnectedFrameSchema,
  ErrorFrameSchema,
  HeartbeatFrameSchema,
  HelloReplyFrameSchema,
  RoomMembersReplyFrameSchema,
  ErrorReplyFrameSchema,
  RoomHistoryReplyFrameSchema,
]);

export type ConnectionRequestFrame = z.infer<typeof ConnectionRequestFrameSchema>;
export type NewConnectionFrame = z.infer<typeof NewConnectionFrameSchema>;
export type NewMessageFrame = z.infer<typeof NewMessageFrameSchema>;
export type DisconnectedFrame = z.infer<typeof DisconnectedFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type HeartbeatFrame = z.infer<typeof HeartbeatFrameSchema>;
export type HelloReplyFrame = z.infer<typeof HelloReplyFrameSchema>;
export type RoomMember = z.infer<typeof RoomMemberSchema>;
export type RoomMembersReplyFrame = z.infer<typeof RoomMembersReplyFrameSchema>;
export type ErrorReplyFrame = z.infer<typeof ErrorReplyFrameSchema>;
export type HistoryPublication = z.infer<typeof HistoryPublicationSchema>;
export type RoomHistoryReplyFrame = z.infer<typeof RoomHistoryReplyFrameSchema>;
export type BrokerFrame = z.infer<typeof BrokerFrameSchema>;
export type BrokerAction = BrokerFrame['action'];

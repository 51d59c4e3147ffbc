// Types of the frames a broker sends to backends, as the checkers return them.
// Optional params read `null` as absent (`undefined`); every object keeps keys it does not know.
import type { ErrorReplyCode } from './error-codes.js';
import type { HistoryPublication } from './history.js';
import type { Context, Headers, JsonObject, Loose, Query, RoomMember } from './json-types.js';

/** What a client event carries for a backend that announced the `ack` capability. */
export interface DeliveryParams {
  event_id?: string | undefined;
  redelivered?: boolean | undefined;
  delivery_count?: number | undefined;
}

/** The shape every frame shares. */
export type Frame<A extends string, P> = Loose<{ action: A; request_id: string; params: Loose<P> }>;

export type ConnectionRequestFrame = Frame<'connection_request', { headers: Headers; url: string; remote_addr: string; query?: Query | undefined }>;
/** `resumed` (Strands-only): the client resumed its session (same client id and rooms) with a resume token. */
export type NewConnectionFrame = Frame<'new_connection', { context: Context; resumed?: boolean | undefined } & DeliveryParams>;
export type NewMessageFrame = Frame<'new_message', { message: string; context: Context; encoding?: 'base64' | undefined } & DeliveryParams>;
export type DisconnectedFrame = Frame<'disconnected', { context: Context; code?: number | undefined; reason?: string | undefined } & DeliveryParams>;
export type ErrorFrame = Frame<'error', { context: JsonObject; error: string } & DeliveryParams>;
export type HeartbeatFrame = Frame<'heartbeat', {}>;
export type HelloReplyFrame = Frame<
  'hello_reply',
  { accepted: boolean; reason?: string | undefined; broker?: string | undefined; protocol_version?: number | undefined; capabilities?: string[] | undefined }
>;
export type RoomMembersReplyFrame = Frame<'room_members_reply', { room_id: string; members: RoomMember[] }>;
export type ErrorReplyFrame = Frame<'error_reply', { code: ErrorReplyCode; message: string; action?: string | undefined }>;
export type RoomHistoryReplyFrame = Frame<'room_history_reply', { room_id: string; epoch: string; offset: number; publications: HistoryPublication[] }>;

/** Every frame a broker may send to a backend, discriminated on `action`. */
export type BrokerFrame =
  | ConnectionRequestFrame
  | NewConnectionFrame
  | NewMessageFrame
  | DisconnectedFrame
  | ErrorFrame
  | HeartbeatFrame
  | HelloReplyFrame
  | RoomMembersReplyFrame
  | ErrorReplyFrame
  | RoomHistoryReplyFrame;
export type BrokerAction = BrokerFrame['action'];

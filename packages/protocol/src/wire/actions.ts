// The action names of both directions, the heartbeat's request id and the protocol version.

/** Actions a broker sends to backends: the six PyStrands ones, then the Strands-only replies. */
export const BROKER_ACTIONS = [
  'connection_request',
  'new_connection',
  'new_message',
  'disconnected',
  'error',
  'heartbeat',
  'hello_reply',
  'room_members_reply',
  'error_reply',
  'room_history_reply',
] as const;

/** Actions a backend sends to a broker: the four PyStrands ones, then the Strands-only additions. */
export const BACKEND_ACTIONS = [
  'response',
  'message_to_room',
  'message_to_connection',
  'broadcast',
  'hello',
  'join_room',
  'leave_room',
  'disconnect_connection',
  'room_members',
  'ack',
  'room_history',
  'set_room_history',
] as const;

/** Request id used by the broker's heartbeat frames. */
export const HEARTBEAT_REQUEST_ID = 'heartbeat';

/** The protocol version a Strands peer states in `hello` (and a Strands broker in `hello_reply`). */
export const PROTOCOL_VERSION = 1;

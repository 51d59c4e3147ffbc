// fast-check arbitraries of every valid frame, both directions: each optional param absent, null
// or set, and unknown keys at the frame and params levels.
import fc from 'fast-check';
import { ERROR_REPLY_CODES } from '../../src/wire/index.js';
import { anyInt, anyJson, anyObject, anyString, looseRecord, optional, stringList, stringLists } from './json-arbitraries.js';

/** A valid frame of `action` with these params. */
function frame(action: string, params: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return looseRecord({ action: fc.constant(action), request_id: anyString, params: looseRecord(params) });
}

/** A Context; its metadata may be left out or null (read as `{}`). */
export const context = looseRecord({ client_id: anyString, room_id: anyString, metadata: optional(anyObject) });
/** The params of a client event for a backend that acknowledges: absent, null or set. */
const delivery = { event_id: optional(anyString), redelivered: optional(fc.boolean()), delivery_count: optional(fc.integer({ min: 1, max: 1000 })) };
const member = looseRecord({ client_id: anyString, metadata: anyObject });

/** Every frame a broker sends, one arbitrary per action. */
export const brokerFrames = {
  connection_request: frame('connection_request', { headers: stringLists, url: anyString, remote_addr: anyString, query: optional(stringLists) }),
  new_connection: frame('new_connection', { context, resumed: optional(fc.boolean()), ...delivery }),
  new_message: frame('new_message', { message: anyString, context, encoding: optional(fc.constant('base64')), ...delivery }),
  disconnected: frame('disconnected', { context, code: optional(anyInt), reason: optional(anyString), ...delivery }),
  error: frame('error', { context: anyObject, error: anyString, ...delivery }),
  heartbeat: frame('heartbeat', {}),
  hello_reply: frame('hello_reply', {
    accepted: fc.boolean(),
    reason: optional(anyString),
    broker: optional(anyString),
    protocol_version: optional(anyInt),
    capabilities: optional(stringList),
  }),
  room_members_reply: frame('room_members_reply', { room_id: anyString, members: fc.array(member, { maxLength: 3 }) }),
  error_reply: frame('error_reply', { code: fc.constantFrom(...ERROR_REPLY_CODES), message: anyString, action: optional(anyString) }),
  room_history_reply: frame('room_history_reply', {
    room_id: anyString,
    epoch: anyString,
    offset: fc.integer({ min: 0, max: 1_000_000 }),
    publications: fc.array(looseRecord({ offset: fc.integer({ min: 1, max: 1_000_000 }), message: anyString }), { maxLength: 3 }),
  }),
};

/** Every frame a backend sends, one arbitrary per action. */
export const backendFrames = {
  response: frame('response', {
    accepted: fc.boolean(),
    client_id: optional(anyString),
    room_id: optional(anyString),
    metadata: optional(anyObject),
    status: optional(fc.integer({ min: 400, max: 599 })),
    reason: optional(anyString),
  }),
  message_to_room: frame('message_to_room', { room_id: anyString, message: anyString, encoding: optional(fc.constant('base64')) }),
  message_to_connection: frame('message_to_connection', { conn_id: anyString, message: anyString, encoding: optional(fc.constant('base64')) }),
  broadcast: frame('broadcast', { message: anyString, encoding: optional(fc.constant('base64')) }),
  hello: frame('hello', { name: anyString, protocol_version: anyInt, token: optional(anyString), capabilities: optional(stringList) }),
  join_room: frame('join_room', { conn_id: anyString, room_id: anyString }),
  leave_room: frame('leave_room', { conn_id: anyString, room_id: anyString }),
  disconnect_connection: frame('disconnect_connection', {
    conn_id: anyString,
    code: optional(fc.oneof(fc.constant(1000), fc.integer({ min: 3000, max: 4999 }))),
    reason: optional(anyString),
  }),
  room_members: frame('room_members', { room_id: anyString }),
  ack: frame('ack', { ids: stringList }),
  room_history: frame('room_history', { room_id: anyString, since: optional(fc.integer({ min: 0, max: 1_000_000 })), limit: optional(fc.integer({ min: 1, max: 1000 })) }),
  set_room_history: frame('set_room_history', { room_id: anyString, size: fc.integer({ min: 0, max: 1000 }), ttl_ms: optional(fc.integer({ min: 1, max: 1_000_000 })) }),
};

/** Any valid frame of one direction. */
export const anyBrokerFrame = fc.oneof(...Object.values(brokerFrames));
export const anyBackendFrame = fc.oneof(...Object.values(backendFrames));

export { anyJson };

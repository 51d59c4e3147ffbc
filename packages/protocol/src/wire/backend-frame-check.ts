// The fast checker of frames a backend sends to a broker: per-action params by hand, no zod.
import type { BackendAction, BackendFrame } from './backend-frame-types.js';
import {
  BACKEND_CLOSE_CODE,
  BASE64,
  BOOLEAN,
  HTTP_ERROR_STATUS,
  INTEGER,
  OBJECT,
  STRING,
  STRING_ARRAY,
  checkFields,
  fields,
  optionalParam,
  type Field,
} from './fields.js';
import { readAckFrame, readMessageFrame } from './backend-fast-read.js';
import { parseRawFrame, type RawFrame } from './frame-read.js';
import { NON_NEGATIVE_INTEGER, POSITIVE_INTEGER } from './history.js';
import { Failure, refused, type CheckResult } from './refusal.js';

/** The params of each backend action, as the zod schemas of `@strands/protocol` state them. */
const BACKEND_FIELDS: Readonly<Record<BackendAction, readonly Field[]>> = {
  response: fields({
    accepted: BOOLEAN,
    client_id: optionalParam(STRING),
    room_id: optionalParam(STRING),
    metadata: optionalParam(OBJECT),
    status: optionalParam(HTTP_ERROR_STATUS),
    reason: optionalParam(STRING),
  }),
  message_to_room: fields({ room_id: STRING, message: STRING, encoding: optionalParam(BASE64) }),
  message_to_connection: fields({ conn_id: STRING, message: STRING, encoding: optionalParam(BASE64) }),
  broadcast: fields({ message: STRING, encoding: optionalParam(BASE64) }),
  hello: fields({ name: STRING, protocol_version: INTEGER, token: optionalParam(STRING), capabilities: optionalParam(STRING_ARRAY) }),
  join_room: fields({ conn_id: STRING, room_id: STRING }),
  leave_room: fields({ conn_id: STRING, room_id: STRING }),
  disconnect_connection: fields({ conn_id: STRING, code: optionalParam(BACKEND_CLOSE_CODE), reason: optionalParam(STRING) }),
  room_members: fields({ room_id: STRING }),
  ack: fields({ ids: STRING_ARRAY }),
  room_history: fields({ room_id: STRING, since: optionalParam(NON_NEGATIVE_INTEGER), limit: optionalParam(POSITIVE_INTEGER) }),
  set_room_history: fields({ room_id: STRING, size: NON_NEGATIVE_INTEGER, ttl_ms: optionalParam(POSITIVE_INTEGER) }),
};

// A Map, not the object: one lookup per frame, and no inherited keys ("constructor") to guard against.
// The Record type above makes sure that every action has its fields.
const FIELDS_OF: ReadonlyMap<string, readonly Field[]> = /* @__PURE__ */ new Map(Object.entries(BACKEND_FIELDS));

/** True when `action` is one a backend may send (anything else is `unknown_action`). */
export function isBackendAction(action: string): action is BackendAction {
  return FIELDS_OF.has(action);
}

/**
 * Checks the params of a frame read by `readFrame`: `unknown_action` or `invalid_params`, or the
 * frame typed (the same object: optional `null` params set to undefined in place).
 */
export function checkBackendParams(frame: RawFrame): CheckResult<BackendFrame> {
  const list = FIELDS_OF.get(frame.action);
  if (list === undefined) return refused('unknown_action', `unknown action "${frame.action}"`, frame.request_id, frame.action);
  const refusal = checkFields(frame.action, frame.request_id, frame.params, list);
  return refusal === undefined ? { ok: true, frame: frame as BackendFrame } : new Failure(refusal);
}

/**
 * Reads and checks one line a backend sent: the same verdict, code and value as
 * `parseFrame(line, 'backend')`, without zod. This is what a broker calls per backend frame.
 * @example
 * const r = checkBackendFrame(line);
 * if (!r.ok) reply(errorReplyLine(r.refusal.requestId ?? '', r.refusal.code, r.refusal.message, r.refusal.action));
 * else if (r.frame.action === 'broadcast') send(r.frame.params.message);
 */
export function checkBackendFrame(line: string): CheckResult<BackendFrame> {
  // The frames sent once per message or per write, in the encoders' form, skip the JSON parse of the frame.
  const fast = readMessageFrame(line) ?? readAckFrame(line);
  if (fast !== undefined) return { ok: true, frame: fast };
  const raw = parseRawFrame(line);
  return raw instanceof Failure ? raw : checkBackendParams(raw);
}

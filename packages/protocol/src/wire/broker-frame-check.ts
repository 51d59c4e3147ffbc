// The fast checker of frames a broker sends to a backend: per-action params by hand, no zod.
import type { BrokerAction, BrokerFrame } from './broker-frame-types.js';
import {
  BASE64,
  BOOLEAN,
  CONTEXT,
  DELIVERY_COUNT,
  ERROR_REPLY_CODE,
  INTEGER,
  MEMBERS,
  OBJECT,
  STRING,
  STRING_ARRAY,
  STRING_LISTS,
  checkFields,
  fields,
  optionalParam,
  type Field,
} from './fields.js';
import { parseRawFrame, type RawFrame } from './frame-read.js';
import { NON_NEGATIVE_INTEGER, PUBLICATIONS } from './history.js';
import { Failure, refused, type CheckResult } from './refusal.js';

/** What a client event carries for a backend that acknowledges (the `ack` capability). */
const DELIVERY = { event_id: optionalParam(STRING), redelivered: optionalParam(BOOLEAN), delivery_count: optionalParam(DELIVERY_COUNT) } as const;

/** The params of each broker action, as the zod schemas of `@strands/protocol` state them. */
const BROKER_FIELDS: Readonly<Record<BrokerAction, readonly Field[]>> = {
  connection_request: fields({ headers: STRING_LISTS, url: STRING, remote_addr: STRING, query: optionalParam(STRING_LISTS) }),
  new_connection: fields({ context: CONTEXT, resumed: optionalParam(BOOLEAN), ...DELIVERY }),
  new_message: fields({ message: STRING, context: CONTEXT, encoding: optionalParam(BASE64), ...DELIVERY }),
  disconnected: fields({ context: CONTEXT, code: optionalParam(INTEGER), reason: optionalParam(STRING), ...DELIVERY }),
  error: fields({ context: OBJECT, error: STRING, ...DELIVERY }),
  heartbeat: fields({}),
  hello_reply: fields({
    accepted: BOOLEAN,
    reason: optionalParam(STRING),
    broker: optionalParam(STRING),
    protocol_version: optionalParam(INTEGER),
    capabilities: optionalParam(STRING_ARRAY),
  }),
  room_members_reply: fields({ room_id: STRING, members: MEMBERS }),
  error_reply: fields({ code: ERROR_REPLY_CODE, message: STRING, action: optionalParam(STRING) }),
  room_history_reply: fields({ room_id: STRING, epoch: STRING, offset: NON_NEGATIVE_INTEGER, publications: PUBLICATIONS }),
};

// A Map, not the object: one lookup per frame, and no inherited keys ("constructor") to guard against.
// The Record type above makes sure that every action has its fields.
const FIELDS_OF: ReadonlyMap<string, readonly Field[]> = /* @__PURE__ */ new Map(Object.entries(BROKER_FIELDS));

/** True when `action` is one a broker may send (anything else is `unknown_action`). */
export function isBrokerAction(action: string): action is BrokerAction {
  return FIELDS_OF.has(action);
}

/**
 * Checks the params of a frame read by `readFrame`: `unknown_action` or `invalid_params`, or the
 * frame typed (the same object: optional `null` params set to undefined, a missing context
 * metadata set to `{}`, in place).
 */
export function checkBrokerParams(frame: RawFrame): CheckResult<BrokerFrame> {
  const list = FIELDS_OF.get(frame.action);
  if (list === undefined) return refused('unknown_action', `unknown action "${frame.action}"`, frame.request_id, frame.action);
  const refusal = checkFields(frame.action, frame.request_id, frame.params, list);
  return refusal === undefined ? { ok: true, frame: frame as BrokerFrame } : new Failure(refusal);
}

/**
 * Reads and checks one line a broker sent: the same verdict, code and value as
 * `parseFrame(line, 'broker')`, without zod. This is what a backend calls per broker frame.
 * @example
 * const r = checkBrokerFrame(line);
 * if (r.ok && r.frame.action === 'new_message') console.log(r.frame.params.context.client_id);
 */
export function checkBrokerFrame(line: string): CheckResult<BrokerFrame> {
  const raw = parseRawFrame(line);
  return raw instanceof Failure ? raw : checkBrokerParams(raw);
}

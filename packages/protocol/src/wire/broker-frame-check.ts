// The fast checker of frames a broker sends to a backend: per-action params by hand, no zod.
import { BROKER_ACTIONS } from './actions.js';
import type { BrokerAction, BrokerFrame } from './broker-frame-types.js';
import {
  BASE64,
  BOOLEAN,
  CONTEXT,
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
import { readFrame, type RawFrame } from './frame-read.js';
import { refused, type CheckResult } from './refusal.js';

/** The params of each broker action, as the zod schemas of `@strands/protocol` state them. */
const BROKER_FIELDS: Readonly<Record<BrokerAction, readonly Field[]>> = {
  connection_request: fields({ headers: STRING_LISTS, url: STRING, remote_addr: STRING, query: optionalParam(STRING_LISTS) }),
  new_connection: fields({ context: CONTEXT }),
  new_message: fields({ message: STRING, context: CONTEXT, encoding: optionalParam(BASE64) }),
  disconnected: fields({ context: CONTEXT, code: optionalParam(INTEGER), reason: optionalParam(STRING) }),
  error: fields({ context: OBJECT, error: STRING }),
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
};

const KNOWN: ReadonlySet<string> = new Set(BROKER_ACTIONS);

/** True when `action` is one a broker may send (anything else is `unknown_action`). */
export function isBrokerAction(action: string): action is BrokerAction {
  return KNOWN.has(action);
}

/**
 * Checks the params of a frame read by `readFrame`: `unknown_action` or `invalid_params`, or the
 * frame typed (the same object: optional `null` params set to undefined, a missing context
 * metadata set to `{}`, in place).
 */
export function checkBrokerParams(frame: RawFrame): CheckResult<BrokerFrame> {
  const action = frame.action;
  if (!KNOWN.has(action)) return refused('unknown_action', `unknown action "${action}"`, frame.request_id, action);
  const refusal = checkFields(frame, BROKER_FIELDS[action as BrokerAction]);
  return refusal === undefined ? { ok: true, frame: frame as BrokerFrame } : { ok: false, refusal };
}

/**
 * Reads and checks one line a broker sent: the same verdict, code and value as
 * `parseFrame(line, 'broker')`, without zod. This is what a backend calls per broker frame.
 * @example
 * const r = checkBrokerFrame(line);
 * if (r.ok && r.frame.action === 'new_message') console.log(r.frame.params.context.client_id);
 */
export function checkBrokerFrame(line: string): CheckResult<BrokerFrame> {
  const read = readFrame(line);
  return read.ok ? checkBrokerParams(read.frame) : read;
}

// The fast path of the backend frames sent once per message (`message_to_connection`,
// `message_to_room`, `broadcast`) or once per write (`ack`), exactly as the encoders of
// backend-lines.ts write them, read without parsing the frame as JSON. Anything else (another key
// order, whitespace, an extra key, a value of another type) is left to the general checker.
import { hasAt as has } from './text-at.js';
import type { AckFrame, BroadcastFrame, MessageToConnectionFrame, MessageToRoomFrame } from './backend-frame-types.js';

/** The frames this fast path reads. */
export type MessageFrame = MessageToConnectionFrame | MessageToRoomFrame | BroadcastFrame;

// Each action's line starts with all of this, and its params with its target key (none for broadcast).
const KINDS = [
  { action: 'message_to_connection', head: '{"action":"message_to_connection","request_id":"', target: '","params":{"conn_id":"' },
  { action: 'message_to_room', head: '{"action":"message_to_room","request_id":"', target: '","params":{"room_id":"' },
  { action: 'broadcast', head: '{"action":"broadcast","request_id":"', target: '' },
] as const;
const BROADCAST_PARAMS = '","params":{"message":"';
const MESSAGE = '","message":"';
const BASE64_END = '","encoding":"base64"}}';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
const FOUR = 0x34;
// Raw control characters are not JSON, and the encoders' form has no whitespace between tokens.
const CONTROL = /[\u0000-\u001f]/g;

/**
 * The index of the quote ending a string literal whose text starts at `start`, when that text
 * has no backslash and no control character (short values: ids); -1 when it has one, or no end.
 */
function plainEnd(line: string, start: number): number {
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/**
 * The text of the JSON string literal whose quotes are at `open` and `close`, or undefined when
 * that is not one valid literal. Without a backslash the text is a slice (valid when it holds no
 * quote and no control character); with one, JSON.parse of the literal alone decodes and checks
 * it (far cheaper than parsing the frame), and fails when the quote at `close` is escaped or one
 * before it is not.
 */
function literal(line: string, open: number, close: number): string | undefined {
  if (close <= open) return undefined;
  const backslash = line.indexOf('\\', open);
  if (backslash === -1 || backslash > close) {
    if (line.indexOf('"', open + 1) !== close) return undefined;
    CONTROL.lastIndex = open;
    const control = CONTROL.exec(line);
    if (control !== null && control.index < close) return undefined;
    return line.slice(open + 1, close);
  }
  try {
    return JSON.parse(line.slice(open, close + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * The frame, when `line` is a `message_to_connection`, `message_to_room` or `broadcast` exactly
 * in the encoders' form (`{"action":..,"request_id":..,"params":{<target>,"message":..[,"encoding":"base64"]}}`,
 * a request id without escapes); otherwise undefined, and the caller checks the line with
 * `checkBackendFrame` (or its steps). Native string searches and short loops run over the line,
 * and JSON.parse over a literal that holds escapes. A frame read here is valid, and
 * `checkBackendFrame` gives the same frame (a property test holds it).
 * @example
 * const frame = readMessageFrame(line);
 * if (frame?.action === 'message_to_connection') deliver(frame.params.conn_id, frame.params.message);
 */
export function readMessageFrame(line: string): MessageFrame | undefined {
  let kind: (typeof KINDS)[number] | undefined;
  for (const k of KINDS) {
    if (has(line, k.head, 0)) {
      kind = k;
      break;
    }
  }
  const end = line.length;
  // Every form ends with the message's closing quote and the two braces.
  if (kind === undefined || line.charCodeAt(end - 1) !== CLOSE_BRACE || line.charCodeAt(end - 2) !== CLOSE_BRACE || line.charCodeAt(end - 3) !== QUOTE) {
    return undefined;
  }
  const idStart = kind.head.length;
  const idEnd = plainEnd(line, idStart);
  if (idEnd === -1) return undefined;
  let target = '';
  let open: number;
  if (kind.target === '') {
    if (!has(line, BROADCAST_PARAMS, idEnd)) return undefined;
    open = idEnd + BROADCAST_PARAMS.length - 1;
  } else {
    if (!has(line, kind.target, idEnd)) return undefined;
    const targetOpen = idEnd + kind.target.length - 1;
    let targetClose = plainEnd(line, targetOpen + 1);
    if (targetClose !== -1) {
      target = line.slice(targetOpen + 1, targetClose);
    } else {
      targetClose = line.indexOf(MESSAGE, targetOpen + 1);
      const read = targetClose === -1 ? undefined : literal(line, targetOpen, targetClose);
      if (read === undefined) return undefined;
      target = read;
    }
    if (!has(line, MESSAGE, targetClose)) return undefined;
    open = targetClose + MESSAGE.length - 1;
  }
  const base64 = line.charCodeAt(end - 4) === FOUR && has(line, BASE64_END, end - BASE64_END.length);
  const message = literal(line, open, base64 ? end - BASE64_END.length : end - 3);
  if (message === undefined) return undefined;
  const requestId = line.slice(idStart, idEnd);
  switch (kind.action) {
    case 'message_to_connection':
      return { action: kind.action, request_id: requestId, params: base64 ? { conn_id: target, message, encoding: 'base64' } : { conn_id: target, message } };
    case 'message_to_room':
      return { action: kind.action, request_id: requestId, params: base64 ? { room_id: target, message, encoding: 'base64' } : { room_id: target, message } };
    default:
      return { action: 'broadcast', request_id: requestId, params: base64 ? { message, encoding: 'base64' } : { message } };
  }
}

const ACK_HEAD = '{"action":"ack","request_id":"';
const ACK_PARAMS = '","params":{"ids":[';
const ACK_END = ']}}';
const ID_SEPARATOR = '","';
// What no id in the fast form holds: it would be escaped (a backslash), or is not JSON raw.
const ESCAPED_OR_CONTROL = /[\\\u0000-\u001f]/;

/**
 * The frame, when `line` is an `ack` exactly in the encoder's form (`ackLine`:
 * `{"action":"ack","request_id":..,"params":{"ids":["..",..]}}`) with ids and request id
 * without escapes, as the ids a broker gives are; otherwise undefined, for `checkBackendFrame`
 * (or its steps) to read. One split of the id list, no JSON parse; a property test holds it to
 * the zod schemas.
 * @example
 * const frame = readMessageFrame(line) ?? readAckFrame(line);
 */
export function readAckFrame(line: string): AckFrame | undefined {
  if (!has(line, ACK_HEAD, 0) || !has(line, ACK_END, line.length - ACK_END.length)) return undefined;
  const idEnd = plainEnd(line, ACK_HEAD.length);
  if (idEnd === -1 || !has(line, ACK_PARAMS, idEnd)) return undefined;
  const listStart = idEnd + ACK_PARAMS.length;
  const listEnd = line.length - ACK_END.length;
  const list = line.slice(listStart, listEnd);
  let ids: string[];
  if (list === '') {
    ids = [];
  } else {
    if (list.length < 2 || list.charCodeAt(0) !== QUOTE || list.charCodeAt(list.length - 1) !== QUOTE || ESCAPED_OR_CONTROL.test(list)) return undefined;
    ids = list.slice(1, -1).split(ID_SEPARATOR);
    // A quote left inside an id means the list was not only string literals split by '","'.
    for (const id of ids) if (id.includes('"')) return undefined;
  }
  return { action: 'ack', request_id: line.slice(ACK_HEAD.length, idEnd), params: { ids } };
}

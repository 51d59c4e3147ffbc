// A fast reader of `new_message` lines in the shape Strands brokers write them (`newMessageLine`,
// plus the delivery fields a backend that acknowledges gets): by position, without building the
// frame. A line in any other shape reads as undefined, for the caller to check it with
// `checkBrokerFrame`; a property test holds what it returns to the zod schemas.
import type { Context } from './json-types.js';
import { CONTEXT } from './fields.js';
import { hasAt } from './text-at.js';

/** A `new_message` read by `readNewMessageLine`; a valid frame once `readContextJson(contextJson)` accepts its context. */
export interface NewMessageView {
  readonly requestId: string;
  readonly message: string;
  /** The message as the JSON string literal it arrived in: a reply of the same text can embed it as is. */
  readonly messageJson: string;
  /** The context as the JSON text it arrived in: every event of one client carries the same text, so a backend parses it once. */
  readonly contextJson: string;
  /** `encoding: "base64"`: the client sent a binary frame, `message` holds its bytes as base64. */
  readonly base64: boolean;
  readonly eventId: string | undefined;
  /** `true` on a redelivery (with `deliveryCount`), else undefined. */
  readonly redelivered: true | undefined;
  readonly deliveryCount: number | undefined;
}

const PREFIX = '{"action":"new_message","request_id":"';
const MESSAGE_KEY = '","params":{"message":"';
const CONTEXT_KEY = ',"context":';
const ENCODING = ',"encoding":"base64"';
const EVENT_ID_KEY = ',"event_id":"';
const REDELIVERED = ',"redelivered":true';
const DELIVERY_COUNT_KEY = ',"delivery_count":';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;

/** True when `text` could sit between JSON quotes as it is: no quote, backslash or control character. */
function isPlainJsonString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === QUOTE || c === BACKSLASH) return false;
  }
  return true;
}

const MESSAGE_END = '"' + CONTEXT_KEY;

/**
 * Index of the quote closing the message literal opened at `open` (the one before `,"context":`),
 * or -1. Inside a JSON string every quote is escaped, so the first `","context":` after `open` is
 * the end of the literal in any line of the encoders' form; in any other line, the JSON.parse of
 * the slice it gives fails. One native search, however many quotes the message holds.
 */
function closingQuote(line: string, open: number): number {
  return line.indexOf(MESSAGE_END, open + 1);
}

/**
 * Reads a `new_message` line written the way Strands brokers write it, or returns undefined
 * (another action, another key order, whitespace, unknown params, ...: read it with
 * `checkBrokerFrame`). The context is left as text: check it with `readContextJson` (or find it
 * among texts that passed before); only then is the line a valid frame.
 * @example
 * const view = readNewMessageLine(line);
 * const context = view && (cache.get(view.contextJson) ?? readContextJson(view.contextJson));
 */
export function readNewMessageLine(line: string): NewMessageView | undefined {
  if (!hasAt(line, PREFIX, 0)) return undefined;
  const idEnd = line.indexOf('"', PREFIX.length);
  if (idEnd === -1 || !hasAt(line, MESSAGE_KEY, idEnd)) return undefined;
  const requestId = line.slice(PREFIX.length, idEnd);
  if (!isPlainJsonString(requestId)) return undefined;
  const open = idEnd + MESSAGE_KEY.length - 1;
  const close = closingQuote(line, open);
  if (close === -1 || !hasAt(line, CONTEXT_KEY, close + 1)) return undefined;
  const messageJson = line.slice(open, close + 1);
  let message: unknown;
  try {
    message = JSON.parse(messageJson);
  } catch {
    return undefined;
  }
  if (typeof message !== 'string') return undefined;
  // The params after the context, read from the end: `}}` closes params and frame.
  if (!hasAt(line, '}}', line.length - 2)) return undefined;
  let end = line.length - 2;
  let deliveryCount: number | undefined;
  let redelivered: true | undefined;
  let digits = end;
  while (digits > 0 && line.charCodeAt(digits - 1) >= ZERO && line.charCodeAt(digits - 1) <= NINE) digits--;
  if (digits < end) {
    const countStart = digits - DELIVERY_COUNT_KEY.length;
    if (line.charCodeAt(digits) === ZERO || !hasAt(line, DELIVERY_COUNT_KEY, countStart)) return undefined;
    deliveryCount = Number(line.slice(digits, end));
    if (!Number.isSafeInteger(deliveryCount) || !hasAt(line, REDELIVERED, countStart - REDELIVERED.length)) return undefined;
    redelivered = true;
    end = countStart - REDELIVERED.length;
  }
  // The broker puts `encoding` before the delivery fields.
  let eventId: string | undefined;
  let base64 = hasAt(line, ENCODING, end - ENCODING.length);
  if (!base64 && line.charCodeAt(end - 1) === QUOTE) {
    const key = line.lastIndexOf(EVENT_ID_KEY, end - 1);
    if (key === -1) return undefined;
    eventId = line.slice(key + EVENT_ID_KEY.length, end - 1);
    if (!isPlainJsonString(eventId)) return undefined;
    end = key;
    base64 = hasAt(line, ENCODING, end - ENCODING.length);
  }
  if (base64) end -= ENCODING.length;
  const contextStart = close + 1 + CONTEXT_KEY.length;
  if (line.charCodeAt(contextStart) !== 0x7b || line.charCodeAt(end - 1) !== 0x7d) return undefined;
  return { requestId, message, messageJson, contextJson: line.slice(contextStart, end), base64, eventId, redelivered, deliveryCount };
}

/**
 * Parses and checks a context's JSON text as the checkers do (a missing or null metadata reads
 * as `{}`), or returns undefined when it is not one JSON object of that shape.
 */
export function readContextJson(text: string): Context | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return CONTEXT.test(value) ? (value as Context) : undefined;
}

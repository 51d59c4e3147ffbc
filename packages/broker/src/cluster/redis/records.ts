// How cluster messages travel in a Redis payload: one or more records, each a JSON header line with
// the send time `t`, and the message's big strings after it as they are, never escaped into JSON.
import { hasAt } from '@strands/protocol/wire';

/**
 * A message as one record: `<header JSON>\n`, then its body when it has one. A delivery's
 * `message` (a client frame's text, any characters) follows the header as it is, its length in
 * `len`; an `events` message's lines (JSON lines, never holding a newline) follow it joined by
 * newlines, their total length in `len`. So neither side escapes or unescapes the client's text
 * (the sender's JSON.stringify and the receiver's JSON.parse were a good part of a relayed round
 * trip), and records of one channel can be sent back to back in one PUBLISH. Lengths are in
 * UTF-16 code units: a payload decoded from UTF-8 has the length it was encoded with.
 */
export function encodeRecord(message: object, t: number): string {
  const fields = message as { type?: unknown; message?: unknown; lines?: unknown };
  if (typeof fields.message === 'string') {
    const { message: body, ...head } = fields as { message: string };
    return `${withTail(head, `"len":${body.length},"t":${t}`)}\n${body}`;
  }
  if (fields.type === 'events' && Array.isArray(fields.lines) && fields.lines.every(isLine)) {
    const { lines, ...head } = fields as { lines: string[] };
    const body = lines.join('\n');
    return `${withTail(head, `"len":${body.length},"n":${lines.length},"t":${t}`)}\n${body}`;
  }
  return `${withTail(message, `"t":${t}`)}\n`;
}

/**
 * The messages of a payload, in order, as plain objects (`message` or `lines` restored beside
 * `len` and `n`); `undefined` in place of a record that cannot be read, after which the rest of
 * the payload is not trusted. A payload of plain JSON (no newline) is one record.
 */
export function decodeRecords(payload: string): Array<Record<string, unknown> | undefined> {
  const out: Array<Record<string, unknown> | undefined> = [];
  let at = 0;
  while (at < payload.length) {
    let end = payload.indexOf('\n', at);
    if (end < 0) end = payload.length;
    const head = readRecordHead(payload.slice(at, end));
    at = end + 1;
    if (head === undefined) {
      out.push(undefined);
      break;
    }
    const len = head.len;
    if (len !== undefined) {
      if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || at + len > payload.length) {
        out.push(undefined);
        break;
      }
      const body = payload.slice(at, at + len);
      at += len;
      // `len` and `n` stay on the message (no `delete`: it would make every record a slow dictionary object).
      if (head.type === 'events' && head.lines === undefined) {
        const count = head.n;
        head.lines = count === 0 ? [] : body.split('\n');
        if (count !== (head.lines as string[]).length) {
          out.push(undefined);
          break;
        }
      } else {
        head.message = body;
      }
    }
    out.push(head);
  }
  return out;
}

/**
 * The record `encodeRecord` makes of `{ type: 'direct', from, clientId, message, binary }`, the
 * same characters, spelled out: the one record per reply a backend sends to a client of another
 * broker, so it skips the object and the generic stringify. `fromJson` is `JSON.stringify(from)`.
 */
export function encodeDirect(fromJson: string, clientId: string, message: string, binary: boolean, t: number): string {
  return `{"type":"direct","from":${fromJson},"clientId":${JSON.stringify(clientId)},"binary":${binary},"len":${message.length},"t":${t}}\n${message}`;
}

/**
 * A record's header as a plain object: a direct message's header in `encodeDirect`'s spelling is
 * read by hand (the most frequent record, one per reply to a remote client), anything else, or
 * anything that reads otherwise (an escape, a number JSON spells another way), by JSON.parse.
 */
export function readRecordHead(text: string): Record<string, unknown> | undefined {
  return readDirectHead(text) ?? parseObject(text);
}

const DIRECT_HEAD = '{"type":"direct","from":"';
const CLIENT_ID = '","clientId":"';
const PLAIN_BINARY = '","binary":false,"len":';
const BINARY = '","binary":true,"len":';
const TIME = ',"t":';
/** Characters that leave a header to JSON.parse: an escape, or a raw control character (which JSON refuses). */
const NEEDS_JSON = /[\\\u0000-\u001f]/;

/**
 * The header of a direct record as `encodeDirect` spells it with names needing no escape;
 * undefined otherwise. A header with an escape or a raw control character anywhere is JSON's to
 * read (or refuse): past that check, every character between two quotes is the name itself.
 */
function readDirectHead(text: string): Record<string, unknown> | undefined {
  if (!hasAt(text, DIRECT_HEAD, 0) || NEEDS_JSON.test(text)) return undefined;
  const fromStart = DIRECT_HEAD.length;
  const fromEnd = text.indexOf('"', fromStart);
  if (fromEnd < 0 || !hasAt(text, CLIENT_ID, fromEnd)) return undefined;
  const idStart = fromEnd + CLIENT_ID.length;
  const idEnd = text.indexOf('"', idStart);
  if (idEnd < 0) return undefined;
  let binary: boolean;
  let lenStart: number;
  if (hasAt(text, PLAIN_BINARY, idEnd)) {
    binary = false;
    lenStart = idEnd + PLAIN_BINARY.length;
  } else if (hasAt(text, BINARY, idEnd)) {
    binary = true;
    lenStart = idEnd + BINARY.length;
  } else return undefined;
  const timeAt = text.indexOf(TIME, lenStart);
  if (timeAt < 0 || text.charCodeAt(text.length - 1) !== 0x7d) return undefined;
  const len = digitsValue(text, lenStart, timeAt);
  const t = digitsValue(text, timeAt + TIME.length, text.length - 1);
  if (len < 0 || t < 0) return undefined;
  return { type: 'direct', from: text.slice(fromStart, fromEnd), clientId: text.slice(idStart, idEnd), binary, len, t };
}

/** The integer the digits of text[start, end) spell as JSON does (no sign, no leading zero, at most 15 digits); -1 when they do not. */
function digitsValue(text: string, start: number, end: number): number {
  const count = end - start;
  if (count < 1 || count > 15 || (count > 1 && text.charCodeAt(start) === 0x30)) return -1;
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** A line that can travel between newlines. */
function isLine(line: unknown): boolean {
  return typeof line === 'string' && !line.includes('\n');
}

/** The object as JSON with `tail` (object members) appended. */
function withTail(value: object, tail: string): string {
  const json = JSON.stringify(value);
  return json === '{}' ? `{${tail}}` : `${json.slice(0, -1)},${tail}}`;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The message as one record, stamped with the time now: the receiver's publish lag measure. */
export function stamp(message: object): string {
  return encodeRecord(message, Date.now());
}

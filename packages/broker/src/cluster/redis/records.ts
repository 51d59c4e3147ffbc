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
    const tail = `"len":${body.length},"n":${lines.length},"t":${t}`;
    return `${eventsHead(head, tail) ?? withTail(head, tail)}\n${body}`;
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
 * A record's header as a plain object: the headers of direct and events messages as this module
 * spells them are read by hand (the most frequent records: one per reply to a remote client, one
 * per turn of client events for a remote backend), anything else, or anything that reads
 * otherwise (an escape, a number JSON spells another way), by JSON.parse.
 */
export function readRecordHead(text: string): Record<string, unknown> | undefined {
  return readDirectHead(text) ?? readEventsHead(text) ?? parseObject(text);
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

const EVENTS_HEAD = '{"type":"events","from":"';
const CLIENTS = '","clients":[';
const CONFIRM_AT = ',"confirmAt":[';
const CONFIRM_IDS = '],"confirmIds":[';
const LEN = ',"len":';
const COUNT = ',"n":';

/**
 * The header of an events record as `eventsHead` spells it with names needing no escape;
 * undefined otherwise. As for a direct header, a header with an escape or a raw control
 * character anywhere is JSON's to read: past that check, a quote always ends a string.
 */
function readEventsHead(text: string): Record<string, unknown> | undefined {
  if (!hasAt(text, EVENTS_HEAD, 0) || NEEDS_JSON.test(text)) return undefined;
  const fromStart = EVENTS_HEAD.length;
  const fromEnd = text.indexOf('"', fromStart);
  if (fromEnd < 0 || !hasAt(text, CLIENTS, fromEnd)) return undefined;
  const clients: string[] = [];
  let at = fromEnd + CLIENTS.length;
  if (text.charCodeAt(at) === 0x5d) at += 1;
  else {
    for (;;) {
      if (text.charCodeAt(at) !== 0x22) return undefined;
      const end = text.indexOf('"', at + 1);
      if (end < 0) return undefined;
      clients.push(text.slice(at + 1, end));
      const next = text.charCodeAt(end + 1);
      at = end + 2;
      if (next === 0x5d) break;
      if (next !== 0x2c) return undefined;
    }
  }
  let confirmAt: number[] | undefined;
  let confirmIds: number[] | undefined;
  if (hasAt(text, CONFIRM_AT, at)) {
    const idsAt = text.indexOf(CONFIRM_IDS, at);
    const idsEnd = idsAt < 0 ? -1 : text.indexOf(']', idsAt + CONFIRM_IDS.length);
    if (idsEnd < 0) return undefined;
    confirmAt = digitsList(text, at + CONFIRM_AT.length, idsAt);
    confirmIds = digitsList(text, idsAt + CONFIRM_IDS.length, idsEnd);
    if (confirmAt === undefined || confirmIds === undefined) return undefined;
    at = idsEnd + 1;
  }
  if (!hasAt(text, LEN, at)) return undefined;
  const countAt = text.indexOf(COUNT, at);
  const timeAt = countAt < 0 ? -1 : text.indexOf(TIME, countAt);
  if (timeAt < 0 || text.charCodeAt(text.length - 1) !== 0x7d) return undefined;
  const len = digitsValue(text, at + LEN.length, countAt);
  const n = digitsValue(text, countAt + COUNT.length, timeAt);
  const t = digitsValue(text, timeAt + TIME.length, text.length - 1);
  if (len < 0 || n < 0 || t < 0) return undefined;
  const from = text.slice(fromStart, fromEnd);
  return confirmAt === undefined ? { type: 'events', from, clients, len, n, t } : { type: 'events', from, clients, confirmAt, confirmIds, len, n, t };
}

/** The integers of text[start, end), comma-separated, each as digitsValue reads it; undefined when one is not. */
function digitsList(text: string, start: number, end: number): number[] | undefined {
  const values: number[] = [];
  if (start === end) return values;
  let from = start;
  for (;;) {
    const comma = text.indexOf(',', from);
    const stop = comma < 0 || comma > end ? end : comma;
    const value = digitsValue(text, from, stop);
    if (value < 0) return undefined;
    values.push(value);
    if (stop === end) return values;
    from = stop + 1;
  }
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

/**
 * The header `withTail` makes of an events message's head `{ type, from, clients[, confirmAt,
 * confirmIds] }`, the same characters, spelled out (one record per turn per peer, its header
 * mostly the clients array); undefined for any other head, or text JSON would escape.
 */
function eventsHead(head: Record<string, unknown>, tail: string): string | undefined {
  const { from, clients, confirmAt, confirmIds } = head;
  let keys = 0;
  for (const key in head) {
    if (key !== EVENTS_KEYS[keys]) return undefined;
    keys += 1;
  }
  if (typeof from !== 'string' || !Array.isArray(clients) || (keys !== 3 && keys !== 5)) return undefined;
  const clientsJson = plainStrings(clients);
  if (clientsJson === undefined || NEEDS_ESCAPE.test(from)) return undefined;
  let confirms = '';
  if (keys === 5) {
    const at = integers(confirmAt);
    const ids = integers(confirmIds);
    if (at === undefined || ids === undefined) return undefined;
    confirms = `,"confirmAt":${at},"confirmIds":${ids}`;
  }
  return `{"type":"events","from":"${from}","clients":${clientsJson}${confirms},${tail}}`;
}

/** An events head's keys in the order its sender sets them (event-relay.ts). */
const EVENTS_KEYS = ['type', 'from', 'clients', 'confirmAt', 'confirmIds'];
/** Characters JSON.stringify escapes in a string: quote, backslash, controls, and lone surrogates (any surrogate here: a pair goes to JSON.stringify too). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON of an array of strings none of which JSON escapes; undefined otherwise. */
function plainStrings(values: unknown[]): string | undefined {
  if (values.length === 0) return '[]';
  for (const value of values) if (typeof value !== 'string' || NEEDS_ESCAPE.test(value)) return undefined;
  return `["${values.join('","')}"]`;
}

/** JSON of an array of safe integers (how JSON.stringify spells them: as `join` does); undefined otherwise. */
function integers(values: unknown): string | undefined {
  if (!Array.isArray(values)) return undefined;
  for (const value of values) if (!Number.isSafeInteger(value)) return undefined;
  return `[${values.join(',')}]`;
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

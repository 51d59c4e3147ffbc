// How cluster messages travel in a Redis payload: one or more records, each a JSON header line with
// the send time `t`, and the message's big strings after it as they are, never escaped into JSON.

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
    const head = parseObject(payload.slice(at, end));
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

// The load generator's messages: valid JSON of a fixed layout, so that a receiver reads the send
// time and sequence number at known offsets without parsing (it may receive 300k messages/s).

const TIME_DIGITS = 12;
const SEQ_DIGITS = 10;
const TIME_AT = 6; // after {"t":"
const SEQ_AT = TIME_AT + TIME_DIGITS + 7; // after ","n":"
const HEAD = SEQ_AT + SEQ_DIGITS + 7; // after ","p":"
/** Smallest message this layout can build (empty padding). */
export const MIN_MESSAGE_BYTES = HEAD + 2;
// The same message as the JSON string `data` of a history `pub` envelope: every `"` is `\"`.
const TIME_AT_ESCAPED = 9; // after {\"t\":\"
const SEQ_AT_ESCAPED = TIME_AT_ESCAPED + TIME_DIGITS + 11; // after \",\"n\":\"
const BROKER_FRAME = Buffer.from('{"strands":"');
const PUB_HEAD = Buffer.from('{"strands":"pub",');
const PUB_DATA = Buffer.from(',"data":"');

/** Time in whole microseconds since the epoch, on a clock every thread of this process agrees on. */
export function nowMicros(): number {
  // performance.now() alone has a per-thread origin; adding timeOrigin makes worker clocks agree.
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Send times wrap at 10^12 µs (11.5 days), which is all 12 digits hold. */
const TIME_MODULUS = 10 ** TIME_DIGITS;

function pad(value: number, digits: number): string {
  return String(value % 10 ** digits).padStart(digits, '0');
}

/**
 * Builds a message of exactly `bytes` bytes: `{"t":"<µs>","n":"<seq>","p":"xxx…"}`.
 * @example
 * const m = buildMessage(nowMicros(), 1, 64); // m.length === 64
 */
export function buildMessage(sentMicros: number, seq: number, bytes: number, padding = padFor(bytes)): string {
  return `{"t":"${pad(sentMicros, TIME_DIGITS)}","n":"${pad(seq, SEQ_DIGITS)}","p":"${padding}"}`;
}

/** The padding that makes a message `bytes` long; build it once per run. */
export function padFor(bytes: number): string {
  if (bytes < MIN_MESSAGE_BYTES) throw new RangeError(`messages must be at least ${MIN_MESSAGE_BYTES} bytes`);
  return 'x'.repeat(bytes - MIN_MESSAGE_BYTES);
}

function readDigits(data: Uint8Array, at: number, digits: number): number {
  let value = 0;
  for (let i = at; i < at + digits; i += 1) {
    const d = (data[i] ?? 0) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Where the message of a received frame starts: 0 for the message as sent, the start of `data` in
 * a history `pub` envelope (what a session client gets in a room with history, the message
 * JSON-escaped), or -1 for the broker's other frames (`session`, `position`, `recovered` ...),
 * which carry no message. Give it to readLatencyMicros and readSeq.
 */
export function messageStart(data: Buffer): number {
  // The message itself starts {"t": one byte tells the two apart before any comparison.
  if (data[2] !== BROKER_FRAME[2] || !startsWith(data, BROKER_FRAME)) return 0;
  if (!startsWith(data, PUB_HEAD)) return -1;
  const at = data.indexOf(PUB_DATA, PUB_HEAD.length);
  return at === -1 ? -1 : at + PUB_DATA.length;
}

const startsWith = (data: Buffer, head: Buffer): boolean =>
  data.length >= head.length && data.compare(head, 0, head.length, 0, head.length) === 0;
const timeAt = (start: number) => (start === 0 ? TIME_AT : start + TIME_AT_ESCAPED);
const seqAt = (start: number) => (start === 0 ? SEQ_AT : start + SEQ_AT_ESCAPED);

/** Microseconds from a received message's send time to `nowUs`, or -1 if it is not ours; `start` from messageStart. */
export function readLatencyMicros(data: Uint8Array, nowUs: number, start = 0): number {
  const sent = readDigits(data, timeAt(start), TIME_DIGITS);
  if (sent < 0) return -1;
  return (nowUs % TIME_MODULUS - sent + TIME_MODULUS) % TIME_MODULUS;
}

/** The sequence number of a received message, or -1 if it is not ours; `start` from messageStart. */
export function readSeq(data: Uint8Array, start = 0): number {
  return readDigits(data, seqAt(start), SEQ_DIGITS);
}

// The load generator's messages: valid JSON of a fixed layout, so that a receiver reads the send
// time and sequence number at known offsets without parsing (it may receive 300k messages/s).

const TIME_DIGITS = 12;
const SEQ_DIGITS = 10;
const TIME_AT = 6; // after {"t":"
const SEQ_AT = TIME_AT + TIME_DIGITS + 7; // after ","n":"
const HEAD = SEQ_AT + SEQ_DIGITS + 7; // after ","p":"
/** Smallest message this layout can build (empty padding). */
export const MIN_MESSAGE_BYTES = HEAD + 2;

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

/** Microseconds from a received message's send time to `nowUs`, or -1 if it is not ours. */
export function readLatencyMicros(data: Uint8Array, nowUs: number): number {
  const sent = readDigits(data, TIME_AT, TIME_DIGITS);
  if (sent < 0) return -1;
  return (nowUs % TIME_MODULUS - sent + TIME_MODULUS) % TIME_MODULUS;
}

/** The sequence number of a received message, or -1 if it is not ours. */
export function readSeq(data: Uint8Array): number {
  return readDigits(data, SEQ_AT, SEQ_DIGITS);
}

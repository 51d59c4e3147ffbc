import { describe, expect, it } from 'vitest';
import { buildMessage, messageStart, MIN_MESSAGE_BYTES, nowMicros, padFor, readLatencyMicros, readSeq } from './message.js';

describe('load messages', () => {
  it('are valid JSON of exactly the asked size', () => {
    const m = buildMessage(nowMicros(), 42, 64);
    expect(Buffer.byteLength(m)).toBe(64);
    expect(JSON.parse(m)).toMatchObject({ n: '0000000042' });
    expect(buildMessage(nowMicros(), 1, MIN_MESSAGE_BYTES)).toHaveLength(MIN_MESSAGE_BYTES);
  });

  it('carry a sequence number and a send time readable without parsing', () => {
    const sent = nowMicros();
    const data = Buffer.from(buildMessage(sent, 123_456, 100));
    expect(readSeq(data)).toBe(123_456);
    expect(readLatencyMicros(data, sent + 2_500)).toBe(2_500);
  });

  it('give -1 for messages that are not ours', () => {
    const data = Buffer.from('{"hello":"world, this is not a load message at all"}');
    expect(readSeq(data)).toBe(-1);
    expect(readLatencyMicros(data, nowMicros())).toBe(-1);
  });

  it('are found inside a history pub envelope, JSON-escaped, and broker frames are told apart', () => {
    const sent = nowMicros();
    const message = buildMessage(sent, 987_654, 64);
    // As the broker builds it for a session client in a room with history.
    const pub = Buffer.from(`{"strands":"pub","room":"hist","offset":1234,"epoch":"e1","data":${JSON.stringify(message)}}`);
    const start = messageStart(pub);
    expect(start).toBeGreaterThan(0);
    expect(readSeq(pub, start)).toBe(987_654);
    expect(readLatencyMicros(pub, sent + 700, start)).toBe(700);
    expect(messageStart(Buffer.from(message))).toBe(0);
    expect(messageStart(Buffer.from('{"strands":"position","room":"hist","offset":0,"epoch":"e1"}'))).toBe(-1);
    expect(messageStart(Buffer.from('{"s'))).toBe(0); // too short to be a broker frame: read as a message, and not ours
    expect(messageStart(Buffer.from('{"strands":"pub","room":"hist"}'))).toBe(-1);
  });

  it('refuse sizes below the layout', () => {
    expect(() => padFor(MIN_MESSAGE_BYTES - 1)).toThrow(RangeError);
  });
});

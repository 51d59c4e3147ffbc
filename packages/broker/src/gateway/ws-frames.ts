// Builds server-to-client WebSocket frames once, so one message fanned out to N clients costs one encode.
import type { HistoryEnvelope } from '@strands/protocol/wire';

const TEXT = 0x81;
const BINARY = 0x82;

/** A buffer with the header of an unmasked, final frame of `opcode` written; the payload goes at the returned offset. */
function frameWithHeader(firstByte: number, length: number): [Buffer, number] {
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = firstByte;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  return [frame, header];
}

/**
 * An unmasked, final text frame holding `text`, header and payload in one buffer.
 * Equivalent to ws's `Sender.frame(text, { fin: true, opcode: 1, mask: false, rsv1: false })`
 * joined into one buffer, which lets a receiver's frames be written together with `writev`.
 */
export function textFrame(text: string): Buffer {
  const [frame, offset] = frameWithHeader(TEXT, Buffer.byteLength(text));
  frame.write(text, offset, 'utf8');
  return frame;
}

/** An unmasked, final binary frame holding `payload`. */
export function binaryFrame(payload: Buffer): Buffer {
  const [frame, offset] = frameWithHeader(BINARY, payload.length);
  payload.copy(frame, offset);
  return frame;
}

/** The frame for a message a backend sent: text, or binary given as base64. */
export function messageFrame(message: string, binary: boolean): Buffer {
  return binary ? binaryFrame(Buffer.from(message, 'base64')) : textFrame(message);
}

/** A session envelope (`position`, `recovered`, `unrecoverable`, ...) as one text frame. */
export function envelopeFrame(envelope: HistoryEnvelope): Buffer {
  return textFrame(JSON.stringify(envelope));
}

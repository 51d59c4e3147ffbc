// Builds server-to-client WebSocket frames once, so one message fanned out to N clients costs one encode.

/**
 * An unmasked, final text frame holding `text`, header and payload in one buffer.
 * Equivalent to ws's `Sender.frame(text, { fin: true, opcode: 1, mask: false, rsv1: false })`
 * joined into one buffer, which lets a receiver's frames be written together with `writev`.
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
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
  frame.write(text, header, 'utf8');
  return frame;
}

// Small text helpers shared by both sides of the broker.

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character (close reasons are limited to 123). */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > max) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/** Longest close reason a WebSocket close frame can carry. */
export const MAX_CLOSE_REASON_BYTES = 123;

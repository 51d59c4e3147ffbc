// Small text helpers shared by both sides of the broker.
import { randomUUID } from 'node:crypto';

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

/**
 * A copy of `text` held in one piece. V8 keeps the results of concatenation, `JSON.stringify`
 * (past 32 characters) and `crypto.randomUUID()` as trees of pieces, and a tree flattened later
 * keeps its wrapper: a string held for a connection's life costs up to several times its length.
 * JSON's round trip is lossless for any string, lone surrogates included.
 */
export function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** A new random UUID, in one piece (see flatCopy): ids the broker makes are kept for a connection's life. */
export function flatUuid(): string {
  return flatCopy(randomUUID());
}

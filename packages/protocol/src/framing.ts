// Newline-delimited JSON framing: an incremental decoder for byte chunks, and the encoder.
import { FrameError } from './errors.js';

// A web standard in Node, browsers and Deno; declared here so that this package compiles
// without the Node or DOM type libraries (it must import neither).
declare const TextDecoder: new (label?: string) => { decode(input?: Uint8Array): string };

/** Default maximum length of one line, in bytes, newline excluded. */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM_FIRST = 0xef;

/** One decoder output: a complete line (without its newline), or an oversize-line error. */
export type DecodedLine = { line: string } | { error: FrameError };

export interface LineDecoderOptions {
  /** Longest line accepted, in bytes, newline excluded. @default DEFAULT_MAX_LINE_BYTES (4 MiB) */
  maxLineBytes?: number;
}

/**
 * Splits a byte stream into lines. Handles lines split across chunks (even inside a UTF-8
 * character, since only whole lines are decoded), several lines in one chunk, `\r\n`, and blank
 * lines (skipped). A line over `maxLineBytes` yields one `frame_too_large` error; the decoder
 * then drops bytes until the next newline and carries on from there.
 * @example
 * const decoder = new LineDecoder();
 * socket.on('data', (chunk) => { for (const out of decoder.push(chunk)) if ('line' in out) handle(out.line); });
 */
export class LineDecoder {
  readonly maxLineBytes: number;
  private parts: Uint8Array[] = [];
  private pendingBytes = 0;
  private skipping = false;
  private readonly text = new TextDecoder('utf-8');

  constructor(options: LineDecoderOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!(this.maxLineBytes > 0)) throw new RangeError('maxLineBytes must be a positive number');
  }

  /** Bytes held for a line not yet complete. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Feeds one chunk; returns the lines (and errors) it completed, in order. */
  push(chunk: Uint8Array): DecodedLine[] {
    const out: DecodedLine[] = [];
    // The common chunk: whole lines only, none pending, none too long. One decode of the chunk
    // instead of one per line (newlines are ASCII, so the text splits where the bytes do); a
    // 0xEF byte may start a BOM, which the per-line decode drops at the start of each line.
    if (this.parts.length === 0 && !this.skipping && chunk.length <= this.maxLineBytes && chunk[chunk.length - 1] === NEWLINE && chunk.indexOf(BOM_FIRST) === -1) {
      const lines = this.text.decode(chunk).split('\n');
      for (let i = 0; i < lines.length - 1; i++) {
        let line = lines[i] as string;
        if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
        if (line.trim() !== '') out.push({ line });
      }
      return out;
    }
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start), out);
        break;
      }
      if (this.skipping) {
        this.skipping = false;
      } else if (this.pendingBytes + (nl - start) > this.maxLineBytes) {
        this.tooLarge(out);
        this.skipping = false;
      } else {
        this.emit(this.take(chunk.subarray(start, nl)), out);
      }
      start = nl + 1;
    }
    return out;
  }

  private hold(rest: Uint8Array, out: DecodedLine[]): void {
    if (this.skipping) return;
    if (this.pendingBytes + rest.length > this.maxLineBytes) {
      this.tooLarge(out);
      this.skipping = true;
      return;
    }
    // Copy: the caller may reuse the chunk's memory after push returns.
    this.parts.push(rest.slice());
    this.pendingBytes += rest.length;
  }

  private take(last: Uint8Array): Uint8Array {
    if (this.parts.length === 0) return last;
    const whole = new Uint8Array(this.pendingBytes + last.length);
    let offset = 0;
    for (const part of this.parts) {
      whole.set(part, offset);
      offset += part.length;
    }
    whole.set(last, offset);
    this.parts = [];
    this.pendingBytes = 0;
    return whole;
  }

  private emit(bytes: Uint8Array, out: DecodedLine[]): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end -= 1;
    if (end === 0) return;
    const line = this.text.decode(bytes.subarray(0, end));
    if (line.trim() === '') return;
    out.push({ line });
  }

  private tooLarge(out: DecodedLine[]): void {
    this.parts = [];
    this.pendingBytes = 0;
    out.push({
      error: new FrameError('frame_too_large', `line longer than ${this.maxLineBytes} bytes; skipped`),
    });
  }
}

/** Encodes one frame as a line of newline-delimited JSON. */
export function encodeFrame(frame: object): string {
  return `${JSON.stringify(frame)}\n`;
}

// Reads the server's WebSocket frames straight off a socket, for receivers that only count and
// time what they get: one pass over each chunk, no event or Buffer per frame beyond a view.
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const FIN = 0x80;
const MASKED = 0x80;

/** What a frame reader hands on: each whole data frame's payload, and frames it cannot take. */
export interface FrameSink {
  /** A whole text or binary frame; `payload` is a view into the chunk, valid only during the call. */
  message(payload: Buffer): void;
  /** A frame no server of ours sends (fragmented, masked, reserved bits): counted, not read. */
  unexpected(): void;
}

/**
 * Splits a stream of server-to-client frames (unmasked, RFC 6455 §5.2) into whole frames.
 * A frame cut across chunks waits for the rest. Pings are answered with a pong through `reply`;
 * a close frame ends the socket through `end`.
 */
export class FrameReader {
  private rest: Buffer | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly reply: (frame: Buffer) => void,
    private readonly end: () => void,
  ) {}

  push(chunk: Buffer): void {
    const buf = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    let at = 0;
    while (buf.length - at >= 2) {
      const b0 = buf[at] as number;
      const b1 = buf[at + 1] as number;
      let length = b1 & 0x7f;
      let head = 2;
      if (length === 126) {
        if (buf.length - at < 4) break;
        length = buf.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (buf.length - at < 10) break;
        length = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
        head = 10;
      }
      // No server of ours masks, but a masked frame's key must still be stepped over to find the next.
      if ((b1 & MASKED) !== 0) head += 4;
      if (buf.length - at < head + length) break;
      const payload = buf.subarray(at + head, at + head + length);
      at += head + length;
      this.frame(b0, b1, payload);
    }
    if (at < buf.length) this.rest = buf.subarray(at);
  }

  private frame(b0: number, b1: number, payload: Buffer): void {
    const opcode = b0 & 0x0f;
    // Whole, unmasked, no reserved bits: the only data frames a server of ours sends.
    if ((opcode === OP_TEXT || opcode === OP_BINARY) && b0 === (FIN | opcode) && (b1 & MASKED) === 0) return this.sink.message(payload);
    if (opcode === OP_PING) return this.reply(pongFrame(payload));
    if (opcode === OP_CLOSE) return this.end();
    if (opcode === OP_PONG) return; // unsolicited: nothing to do
    this.sink.unexpected();
  }
}

/** A client's pong for `payload` (at most 125 bytes), masked with the zero mask as the load generator's clients send. */
export function pongFrame(payload: Buffer): Buffer {
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = FIN | OP_PONG;
  frame[1] = MASKED | payload.length;
  payload.copy(frame, 6);
  return frame;
}

/**
 * Takes an open client's socket away from ws: from now on its frames go to `sink`, not to ws'
 * parser. ws keeps the socket's end, close and error (so its 'close' still fires) and still
 * writes for the sender side; call it before any frame is due, as ws' parser keeps what it had.
 */
export function readFramesDirectly(ws: WebSocket, sink: FrameSink): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  const reader = new FrameReader(sink, (frame) => socket.write(frame), () => socket.end());
  socket.removeAllListeners('data');
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
}

// The fan-out receivers' frame reader against frames as ws' server side writes them, cut anywhere.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { FrameReader, pongFrame, readFramesDirectly } from './frame-reader.js';

/** Server frames (unmasked, FIN, text or binary), with each of the three length forms. */
function serverFrames(messages: (string | Buffer)[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const payload = typeof m === 'string' ? Buffer.from(m) : m;
      const b0 = 0x80 | (typeof m === 'string' ? 1 : 2);
      let head: Buffer;
      if (payload.length < 126) head = Buffer.from([b0, payload.length]);
      else if (payload.length < 65_536) {
        head = Buffer.from([b0, 126, 0, 0]);
        head.writeUInt16BE(payload.length, 2);
      } else {
        head = Buffer.alloc(10);
        head[0] = b0;
        head[1] = 127;
        head.writeUInt32BE(payload.length, 6);
      }
      return Buffer.concat([head, payload]);
    }),
  );
}

function reader(): { read: FrameReader; got: string[]; replies: Buffer[]; ended: () => number; unexpected: () => number } {
  const got: string[] = [];
  const replies: Buffer[] = [];
  let ends = 0;
  let odd = 0;
  const read = new FrameReader({ message: (p) => got.push(p.toString()), unexpected: () => (odd += 1) }, (f) => replies.push(f), () => (ends += 1));
  return { read, got, replies, ended: () => ends, unexpected: () => odd };
}

describe('FrameReader', () => {
  const messages = ['a', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(70_000), '{"t":"1"}'];
  const bytes = serverFrames(messages);

  it('reads every frame whole, whatever the chunks', () => {
    // Byte by byte without the 70 kB frame (a cut frame is joined again on each chunk).
    const small = messages.filter((m) => m.length < 1000);
    for (const [size, all, sent] of [[1, serverFrames(small), small], [2, serverFrames(small), small], [7, bytes, messages], [1000, bytes, messages], [bytes.length, bytes, messages]] as const) {
      const { read, got } = reader();
      for (let at = 0; at < all.length; at += size) read.push(all.subarray(at, at + size));
      expect(got, `chunks of ${size}`).toEqual(sent);
    }
  });

  it('answers a ping with a pong of its payload, ends on a close, counts a fragment and a masked frame as unexpected', () => {
    const { read, got, replies, ended, unexpected } = reader();
    const ping = Buffer.from([0x89, 3, 0x61, 0x62, 0x63]);
    const fragment = Buffer.from([0x01, 1, 0x61]); // text, FIN clear
    const masked = Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61]); // text, masked: a client's frame
    const close = Buffer.from([0x88, 2, 0x03, 0xe8]);
    read.push(Buffer.concat([ping, fragment, masked, serverFrames(['after']), close]));
    expect(replies).toEqual([pongFrame(Buffer.from('abc'))]);
    expect([...replies[0]!]).toEqual([0x8a, 0x83, 0, 0, 0, 0, 0x61, 0x62, 0x63]);
    expect(unexpected()).toBe(2);
    expect(got).toEqual(['after']);
    expect(ended()).toBe(1);
  });

  it('takes over a real client: messages, a ping answered (ws on the server sees the pong), and ws still reports the close', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const serverSide = once(wss, 'connection');
    const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    await once(client, 'open');
    const [server] = (await serverSide) as [WebSocket];
    const got: string[] = [];
    readFramesDirectly(client, { message: (p) => got.push(p.toString()), unexpected: () => undefined });
    const pong = once(server, 'pong');
    for (let i = 0; i < 100; i += 1) server.send(`m${i}`);
    server.ping('hi');
    expect(String((await pong)[0])).toBe('hi');
    // The ping came after the messages, so the client had read them all when it answered.
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    const closed = once(client, 'close');
    server.terminate();
    await closed;
    wss.close();
    http.close();
  });
});

// What a fuzzed WebSocket client sends after (or instead of) its upgrade: frames built by hand so
// that anything is possible (unmasked, reserved bits, unknown opcodes, lying lengths, invalid UTF-8,
// fragments out of order), carrying payloads from the protocol's shapes and their mutations.
import fc from 'fast-check';
import { envelopes, plainMessages } from '../../../packages/protocol/test/support/envelope-arbitraries.js';
import { mutatedLines } from '../../../packages/protocol/test/support/mutations.js';
import { deepNesting, hugeNumbers, prototypeNames } from './shapes.js';

/** One fuzzed client: an upgrade (maybe with `strands.v1`) then bytes, or raw bytes instead of an upgrade. */
export type WsInput =
  | { kind: 'frames'; protocol: 'strands.v1' | undefined; bytes: Uint8Array; label: string }
  | { kind: 'http'; bytes: Uint8Array; label: string };

interface FrameSpec {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
  /** A length field that lies (bigger or smaller than the payload). */
  claimedLength?: number;
}

/** Encodes one frame as RFC 6455 lays it out, whatever its fields say. */
export function encodeFrame(f: FrameSpec): Uint8Array {
  const length = f.claimedLength ?? f.payload.length;
  const header: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const maskBit = f.masked ? 0x80 : 0;
  if (length < 126) header.push(maskBit | length);
  else if (length < 65_536) header.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    header.push(maskBit | 127);
    const big = BigInt(length);
    for (let i = 7; i >= 0; i -= 1) header.push(Number((big >> BigInt(i * 8)) & 0xffn));
  }
  const key = [0x12, 0x34, 0x56, 0x78];
  const body = f.masked ? f.payload.map((b, i) => b ^ (key[i % 4] as number)) : f.payload;
  return concat([Uint8Array.from(f.masked ? [...header, ...key] : header), body]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Text a client might send: envelopes and their mutations, plain text, deep nesting, huge numbers, prototype route names. */
const textPayload: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: mutatedLines(fc.oneof(...Object.values(envelopes)), { key: 'strands', values: [...Object.keys(envelopes), ...prototypeNames] }) },
  { weight: 2, arbitrary: plainMessages },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...prototypeNames), fc.constantFrom('request', 'fire', 'stream')).map(([route, kind]) => JSON.stringify({ strands: kind, id: '1', route, data: {} })) },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: hugeNumbers },
);

/** Byte sequences that are not UTF-8 (a text frame of them must close the client with 1007). */
const invalidUtf8 = fc.constantFrom(
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xed, 0xa0, 0x80],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xf8, 0xa1, 0xa1, 0xa1, 0xa1],
  [0xff, 0xfe],
  [0xc0, 0xaf],
).map((b) => Uint8Array.from(b));

const bytes = (max: number) => fc.uint8Array({ maxLength: max });

/** One frame: mostly well formed, sometimes with one field wrong. */
const frame: fc.Arbitrary<{ spec: FrameSpec; label: string }> = fc.oneof(
  { weight: 5, arbitrary: textPayload.map((t) => ({ spec: ok(1, utf8(t)), label: 'text' })) },
  { weight: 2, arbitrary: bytes(2048).map((b) => ({ spec: ok(2, b), label: 'binary' })) },
  { weight: 1, arbitrary: fc.tuple(textPayload, invalidUtf8).map(([t, bad]) => ({ spec: ok(1, concat([utf8(t), bad])), label: 'invalid-utf8' })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(8, 9, 10), bytes(140)).map(([op, b]) => ({ spec: ok(op, b), label: `control-${op}` })) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), textPayload).map(([rsv, t]) => ({ spec: { ...ok(1, utf8(t)), rsv }, label: 'rsv' })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15), bytes(64)).map(([op, b]) => ({ spec: ok(op, b), label: 'bad-opcode' })) },
  { weight: 1, arbitrary: textPayload.map((t) => ({ spec: { ...ok(1, utf8(t)), masked: false }, label: 'unmasked' })) },
  { weight: 1, arbitrary: fc.tuple(bytes(32), fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(2 ** 20 + 1, 2 ** 31, 2 ** 53 - 1, 2 ** 63))).map(([b, claimed]) => ({ spec: { ...ok(2, b), claimedLength: claimed }, label: 'lying-length' })) },
  { weight: 1, arbitrary: textPayload.map((t) => ({ spec: { ...ok(1, utf8(t)), fin: false }, label: 'fragment' })) },
  { weight: 1, arbitrary: textPayload.map((t) => ({ spec: ok(0, utf8(t)), label: 'continuation' })) },
);

function ok(opcode: number, payload: Uint8Array): FrameSpec {
  return { fin: true, rsv: 0, opcode, masked: true, payload };
}

/** Bytes sent instead of a proper upgrade: a broken request line, headers, or noise. */
const badHttp: fc.Arbitrary<Uint8Array> = fc.oneof(
  bytes(512),
  fc.tuple(fc.constantFrom('GET', 'POST', 'PRI', 'FOO', ''), fc.string({ maxLength: 40 }), fc.string({ maxLength: 80 })).map(([m, path, header]) =>
    utf8(`${m} /${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${header}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
  ),
  fc.string({ maxLength: 300 }).map((s) => utf8(`GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${s}\r\nSec-WebSocket-Version: ${s}\r\n\r\n`)),
);

/** One fuzzed WebSocket client. */
export const wsInput: fc.Arbitrary<WsInput> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(fc.option(fc.constant('strands.v1' as const), { nil: undefined }), fc.array(fc.oneof({ weight: 6, arbitrary: frame }, { weight: 1, arbitrary: bytes(64).map((b) => ({ spec: undefined, raw: b, label: 'garbage' })) }), { minLength: 1, maxLength: 4 }))
      .map(([protocol, pieces]) => ({
        kind: 'frames' as const,
        protocol,
        bytes: concat(pieces.map((p) => ('raw' in p ? p.raw : encodeFrame(p.spec as FrameSpec)))),
        label: pieces.map((p) => p.label).join('+'),
      })),
  },
  { weight: 1, arbitrary: badHttp.map((b) => ({ kind: 'http' as const, bytes: b, label: 'bad-upgrade' })) },
);

// What a fuzzed backend sends on the backend port: lines built from the protocol's frame shapes
// (valid, mutated, cut short), deep nesting where params hold objects, huge numbers, prototype
// action names, raw bytes and HTTP requests, written whole or in random pieces.
import fc from 'fast-check';
import { anyBackendFrame } from '../../../packages/protocol/test/support/frame-arbitraries.js';
import { ACTION_TAG, mutatedLines } from '../../../packages/protocol/test/support/mutations.js';
import { hugeNumbers, nestedValue, prototypeNames } from './shapes.js';

/** One fuzzed backend connection. */
export interface BackendInput {
  /** Say `hello` first (so the broker answers bad frames with `error_reply`), as an SDK backend does. */
  hello: boolean;
  /** The bytes, newline-separated lines mostly. */
  bytes: Uint8Array;
  /** Write in pieces of these sizes (cycled); empty: in one write. */
  chunks: number[];
  lines: number;
  label: string;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Actions whose params carry a free-form object (metadata): where deep nesting reaches the broker. */
const deepFrame = fc.tuple(fc.constantFrom('response', 'message_to_room', 'join_room', 'hello', 'ack'), fc.integer({ min: 50, max: 20_000 })).map(
  ([action, depth]) => `{"action":"${action}","request_id":"deep","params":{"accepted":true,"client_id":"x","room_id":"r","metadata":${nestedValue(depth)},"message":${nestedValue(depth)}}}`,
);

const hugeFrame = fc
  .tuple(fc.constantFrom('disconnect_connection', 'response', 'room_history', 'set_room_history', 'hello'), hugeNumbers)
  .map(([action, n]) => `{"action":"${action}","request_id":"${n}","params":{"conn_id":"x","code":${n},"status":${n},"since":${n},"limit":${n},"size":${n},"protocol_version":${n}}}`);

const prototypeFrame = fc
  .tuple(fc.constantFrom(...prototypeNames), fc.constantFrom(...prototypeNames))
  .map(([action, key]) => `{"action":"${action}","request_id":"p","params":{"${key}":{"polluted":true},"conn_id":"${key}","room_id":"${key}"}}`);

const httpRequest = fc
  .tuple(fc.constantFrom('POST', 'GET', 'PUT'), fc.string({ maxLength: 20 }))
  .map(([method, path]) => `${method} /${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n{"action":"broadcast","request_id":"h","params":{"message":"from http"}}`);

/** One line (without its newline). */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: mutatedLines(anyBackendFrame, { key: ACTION_TAG.key, values: [...ACTION_TAG.values, ...prototypeNames] }) },
  { weight: 2, arbitrary: anyBackendFrame.map((f) => JSON.stringify(f)) },
  { weight: 1, arbitrary: deepFrame },
  { weight: 1, arbitrary: hugeFrame },
  { weight: 1, arbitrary: prototypeFrame },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** One fuzzed backend connection: a few lines, sometimes raw bytes or an HTTP request first. */
export const backendInput: fc.Arbitrary<BackendInput> = fc
  .tuple(
    fc.boolean(),
    fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: httpRequest }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')) }),
    fc.array(line, { minLength: 1, maxLength: 8 }),
    fc.oneof({ weight: 3, arbitrary: fc.constant([] as number[]) }, { weight: 1, arbitrary: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }) }),
  )
  .map(([hello, prefix, lines, chunks]) => {
    const helloLine = hello ? '{"action":"hello","request_id":"fuzz-hello","params":{"name":"fuzz","protocol_version":1}}\n' : '';
    const bytes = prefix.startsWith('POST') || prefix.startsWith('GET') || prefix.startsWith('PUT') ? utf8(prefix) : concatText(prefix, helloLine, lines);
    return { hello, bytes, chunks, lines: lines.length, label: prefix === '' ? `${lines.length} lines` : prefix.includes('HTTP/1.1') ? 'http' : 'raw+lines' };
  });

function concatText(prefix: string, hello: string, lines: string[]): Uint8Array {
  // A raw prefix is latin1 bytes; the lines are UTF-8 (lone surrogates become U+FFFD on the way).
  return Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(hello + lines.map((l) => `${l}\n`).join(''), 'utf8')]);
}

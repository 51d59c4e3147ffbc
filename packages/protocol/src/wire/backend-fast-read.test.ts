// The fast path of message frames against the zod reference: it reads every line the encoders
// write, and whatever it reads (also from lines broken character by character) zod reads the same.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from '../../test/support/json-arbitraries.js';
import { NUM_RUNS, SEED, holds } from '../../test/support/property.js';
import { parseFrame } from '../index.js';
import { ackLine, broadcastLine, messageToConnectionLine, messageToRoomLine, readAckFrame, readMessageFrame, toSafeRequestId } from './index.js';

const safeId = fc.stringMatching(/^[A-Za-z0-9._:-]{0,12}$/).map(toSafeRequestId);
/** Messages as applications send them: JSON text (quotes to escape), any string, control characters. */
const message = fc.oneof(anyString, fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', 'é', '\ud800', 'x', '}') }));

const encoded = fc.oneof(
  fc.tuple(safeId, anyString, message, fc.boolean()).map(([id, conn, m, b]) => messageToConnectionLine(id, conn, m, b)),
  fc.tuple(safeId, anyString, message, fc.boolean()).map(([id, room, m, b]) => messageToRoomLine(id, room, m, b)),
  fc.tuple(safeId, message, fc.boolean()).map(([id, m, b]) => broadcastLine(id, m, b)),
);

/** `ack` lines: the ids a broker gives (no escapes), and any strings. */
const acks = fc.oneof(
  fc.tuple(safeId, fc.array(safeId, { maxLength: 6 })).map(([id, ids]) => ackLine(id, ids)),
  fc.tuple(safeId, fc.array(fc.oneof(anyString, fc.constantFrom('"', '","', '\\', '', ']}}')), { maxLength: 4 })).map(([id, ids]) => ackLine(id, ids)),
);

/** A line broken in one to three places: a character deleted, replaced or inserted (JSON's own characters weigh most). */
const brokenOf = (lines: fc.Arbitrary<string>) => fc
  .tuple(
    lines,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('del', 'set', 'ins'), fc.constantFrom('"', '\\', '{', '}', ',', ':', ' ', '\n', '\t', '\u0001', 'u', '0', 'x', 'é')), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([line, edits]) => {
    let text = line.slice(0, -1);
    for (const [at, kind, char] of edits) {
      const i = at % (text.length + 1);
      text = kind === 'del' ? text.slice(0, i) + text.slice(i + 1) : kind === 'set' ? text.slice(0, i) + char + text.slice(i + 1) : text.slice(0, i) + char + text.slice(i);
    }
    return text;
  });
const broken = brokenOf(encoded);

/** `read` gives a frame for a broken line only when zod takes it, as the same frame; both branches run (some edits land inside a value, most break the form). */
function readsBrokenLinesAsZod(lines: fc.Arbitrary<string>, read: (text: string) => object | undefined): void {
  let taken = 0;
  let left = 0;
  holds(
    fc.property(lines, (text) => {
      const fast = read(text);
      if (fast === undefined) {
        left += 1;
        return;
      }
      taken += 1;
      expect({ ok: true, frame: fast }, text).toEqual(parseFrame(text, 'backend'));
    }),
  );
  expect(taken).toBeGreaterThan(0);
  expect(left).toBeGreaterThan(0);
}

describe(`readMessageFrame against the zod schemas (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('reads every message_to_connection, message_to_room and broadcast line the encoders write, as zod does', () => {
    holds(
      fc.property(encoded, (line) => {
        const text = line.slice(0, -1);
        const fast = readMessageFrame(text);
        expect(fast, text).toBeDefined();
        expect({ ok: true, frame: fast }).toEqual(parseFrame(text, 'backend'));
      }),
    );
  });

  it('reads a broken line only when zod takes it, and then as the same frame', () => {
    readsBrokenLinesAsZod(broken, readMessageFrame);
  });

  it('leaves every other form to the general checker', () => {
    for (const text of [
      '{"action":"message_to_connection","request_id":"1","params":{"conn_id":"c","message":"m"}} ',
      '{"action": "message_to_connection","request_id":"1","params":{"conn_id":"c","message":"m"}}',
      '{"action":"message_to_connection","request_id":"1","params":{"message":"m","conn_id":"c"}}',
      '{"action":"message_to_connection","request_id":"1","params":{"conn_id":"c","message":"m","encoding":"hex"}}',
      '{"action":"message_to_connection","request_id":"1","params":{"conn_id":"c","message":"m"},"x":1}',
      '{"action":"message_to_connection","request_id":"\\u0031","params":{"conn_id":"c","message":"m"}}',
      '{"action":"message_to_room","request_id":"1","params":{"conn_id":"c","message":"m"}}',
      '{"action":"broadcast","request_id":"1","params":{"message":"m\\"}}',
      '{"action":"broadcast","request_id":"1","params":{"message":"a\\x"}}',
      '{"action":"broadcast","request_id":"1","params":{"message":5}}',
      '{"action":"broadcast_all","request_id":"1","params":{"message":"m"}}',
    ]) {
      expect(readMessageFrame(text), text).toBeUndefined();
    }
  });
});

describe(`readAckFrame against the zod schemas (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('reads every ack line whose ids need no escapes, and any line it reads as zod does', () => {
    holds(
      fc.property(acks, (line) => {
        const text = line.slice(0, -1);
        const fast = readAckFrame(text);
        const plain = (JSON.parse(text) as { params: { ids: string[] } }).params.ids.every((id) => JSON.stringify(id) === `"${id}"`);
        if (plain) expect(fast, text).toBeDefined();
        if (fast !== undefined) expect({ ok: true, frame: fast }, text).toEqual(parseFrame(text, 'backend'));
      }),
    );
  });

  it('reads a broken ack line only when zod takes it, and then as the same frame', () => {
    readsBrokenLinesAsZod(brokenOf(acks), readAckFrame);
  });

  it('leaves every other form to the general checker', () => {
    for (const text of [
      '{"action":"ack","request_id":"1","params":{"ids":["a" ,"b"]}}',
      '{"action":"ack","request_id":"1","params":{"ids":["a"],"x":["b"]}}',
      '{"action":"ack","request_id":"1","params":{"ids":["a\\"b"]}}',
      '{"action":"ack","request_id":"1","params":{"ids":["a",1]}}',
      '{"action":"ack","request_id":"1","params":{"ids":"a"}}',
      '{"action":"ack","request_id":"1","params":{"ids":["a"]},"x":1}',
      '{"action":"ack","request_id":"\\u0031","params":{"ids":["a"]}}',
    ]) {
      expect(readAckFrame(text), text).toBeUndefined();
    }
    expect(readAckFrame('{"action":"ack","request_id":"r","params":{"ids":["a","","b"]}}')).toEqual({ action: 'ack', request_id: 'r', params: { ids: ['a', '', 'b'] } });
    expect(readAckFrame('{"action":"ack","request_id":"r","params":{"ids":[]}}')).toEqual({ action: 'ack', request_id: 'r', params: { ids: [] } });
  });
});

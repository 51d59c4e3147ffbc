// The fast new_message reader against the zod reference: whatever it accepts, the schemas accept
// with the same values; the lines Strands brokers write are all read by it; broken lines never pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brokerFrames, context } from '../../test/support/frame-arbitraries.js';
import { anyString } from '../../test/support/json-arbitraries.js';
import { ACTION_TAG, mutatedLines } from '../../test/support/mutations.js';
import { NUM_RUNS, SEED, holds } from '../../test/support/property.js';
import { parseFrame } from '../index.js';
import { contextJson, newMessageLine, readContextJson, readNewMessageLine, toSafeRequestId, type Context } from './index.js';

/** What the reader says of `line`, as the params the schemas would give, or undefined when it passes the line on. */
function fastParams(line: string): Record<string, unknown> | undefined {
  const view = readNewMessageLine(line);
  if (view === undefined) return undefined;
  const parsed = readContextJson(view.contextJson);
  if (parsed === undefined) return undefined;
  return {
    message: view.message,
    context: parsed,
    ...(view.base64 ? { encoding: 'base64' } : {}),
    ...(view.eventId === undefined ? {} : { event_id: view.eventId }),
    ...(view.redelivered === undefined ? {} : { redelivered: true, delivery_count: view.deliveryCount }),
  };
}

/** Asserts that a line the reader accepts is a valid new_message of the same values; returns whether it accepted. */
function agrees(line: string): boolean {
  const fast = fastParams(line);
  if (fast === undefined) return false;
  const reference = parseFrame(line, 'broker');
  expect(reference.ok, line).toBe(true);
  if (!reference.ok || reference.frame.action !== 'new_message') throw new Error(`not a new_message: ${line}`);
  const { message, context: ctx, encoding, event_id, redelivered, delivery_count } = reference.frame.params;
  expect(fast, line).toEqual({
    message,
    context: ctx,
    ...(encoding === undefined ? {} : { encoding }),
    ...(event_id === undefined ? {} : { event_id }),
    ...(redelivered === undefined ? {} : { redelivered, delivery_count }),
  });
  expect(readNewMessageLine(line)!.requestId).toBe(reference.frame.request_id);
  expect(JSON.parse(readNewMessageLine(line)!.messageJson)).toBe(message);
  return true;
}

const safeId = fc.stringMatching(/^[A-Za-z0-9._:-]{0,12}$/);
/** A line as a Strands broker writes it: the protocol's encoder, then the delivery fields (the broker's `withDelivery`). */
const brokerLines = fc
  .record({
    requestId: safeId,
    message: anyString,
    context,
    base64: fc.boolean(),
    eventId: fc.option(safeId, { nil: undefined }),
    deliveries: fc.integer({ min: 1, max: 10_000 }),
  })
  .map(({ requestId, message, context: ctx, base64, eventId, deliveries }) => {
    const { client_id, room_id, metadata } = ctx as Context;
    const line = newMessageLine(toSafeRequestId(requestId), message, contextJson(client_id, room_id, metadata ?? {}), base64).slice(0, -1);
    if (eventId === undefined) return line;
    const redelivery = deliveries > 1 ? `,"redelivered":true,"delivery_count":${deliveries}` : '';
    return `${line.slice(0, -2)},"event_id":${JSON.stringify(eventId)}${redelivery}}}`;
  });

describe(`readNewMessageLine against the zod schemas (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('reads every line in the shape Strands brokers write, with the values the schemas read', () => {
    holds(
      fc.property(brokerLines, (line) => {
        expect(agrees(line), line).toBe(true);
      }),
    );
  });

  it('accepts nothing the schemas refuse, on any new_message frame and its mutations', () => {
    let accepted = 0;
    holds(
      fc.property(fc.oneof(brokerFrames.new_message.map((f) => JSON.stringify(f)), mutatedLines(brokerLines.map((l) => JSON.parse(l) as object), ACTION_TAG)), (line) => {
        if (agrees(line)) accepted++;
      }),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('passes on lines with a broken message, context or delivery field, or another shape', () => {
    const good = '{"action":"new_message","request_id":"a1","params":{"message":"hi \\"x\\"","context":{"client_id":"c","room_id":"r","metadata":{}}}}';
    expect(agrees(good)).toBe(true);
    for (const line of [
      good.replace('"hi', '"h\u0001i'),
      good.replace('"metadata":{}', '"metadata":[]'),
      good.replace('{}}}}', '{}},"x":1}}'),
      good.replace('}}}}', '}},"delivery_count":01}}'),
      good.replace('}}}}', '}},"redelivered":false,"delivery_count":2}}'),
      good.replace('}}}}', '}},"event_id":"a\\"b"}}'),
      good.replace('"action":"new_message",', '"action": "new_message",'),
      good.replace('"room_id":"r"', '"room_id":"r"},{"a":1'),
      good.replace('a1', 'a\\u0031'),
    ]) {
      expect(readNewMessageLine(line) !== undefined && readContextJson(readNewMessageLine(line)!.contextJson) !== undefined, line).toBe(false);
    }
    expect(fastParams(good.replace('}}}}', '}},"encoding":"base64","event_id":"e:1","redelivered":true,"delivery_count":3}}'))).toEqual({
      message: 'hi "x"',
      context: { client_id: 'c', room_id: 'r', metadata: {} },
      encoding: 'base64',
      event_id: 'e:1',
      redelivered: true,
      delivery_count: 3,
    });
  });
});

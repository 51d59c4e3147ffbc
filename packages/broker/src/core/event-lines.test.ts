// The core's event lines are the protocol's: what isDisconnectedLine and withDelivery rely on holds.
import { parseFrame } from '@strands/protocol';
import { describe, expect, it } from 'vitest';
import { disconnectedLine, isDisconnectedLine, newConnectionLine, newMessageLine, withDelivery } from './event-lines.js';

const context = JSON.stringify({ client_id: 'c', room_id: 'r', metadata: { a: [1, '"'] } });

describe('event lines', () => {
  it('are valid frames with distinct ids; only disconnected ones read as the client\'s last', () => {
    const lines = [newMessageLine('hé "x"', context, false), newConnectionLine(context), disconnectedLine(context, 1006, 'gone')];
    const ids = lines.map((line) => {
      const parsed = parseFrame(line.slice(0, -1), 'broker');
      expect(parsed.ok).toBe(true);
      return parsed.ok ? parsed.frame.request_id : '';
    });
    expect(new Set(ids).size).toBe(3);
    expect(lines.map(isDisconnectedLine)).toEqual([false, false, true]);
  });

  it('take event_id, redelivered and delivery_count in params', () => {
    const line = withDelivery(newMessageLine('m', context, true), 'e1', 2);
    const parsed = parseFrame(line.slice(0, -1), 'broker');
    expect(parsed.ok && parsed.frame.params).toMatchObject({ message: 'm', encoding: 'base64', event_id: 'e1', redelivered: true, delivery_count: 2 });
  });
});

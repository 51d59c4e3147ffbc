import { describe, expect, it } from 'vitest';
import { SeenEvents } from './seen-events.js';

describe('SeenEvents', () => {
  it('tells new, in-progress and done ids apart on redelivery and forgets the oldest past its capacity', () => {
    const seen = new SeenEvents(2);
    const a = seen.arrived('a', false);
    expect(typeof a).toBe('number');
    expect(seen.arrived('a', true)).toBe(false);
    seen.done('a', a as number);
    expect(seen.arrived('a', true)).toBe(true);
    const b = seen.arrived('b', false) as number;
    seen.arrived('c', false);
    // 'a' was forgotten: its redelivery is new again (and takes b's slot, the oldest).
    expect(typeof seen.arrived('a', true)).toBe('number');
    expect(seen.arrived('c', true)).toBe(false);
    // A late `done` for a forgotten event marks nothing.
    seen.done('b', b);
    expect(typeof seen.arrived('b', true)).toBe('number');
  });
});

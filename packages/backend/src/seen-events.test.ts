import { describe, expect, it } from 'vitest';
import { SeenEvents } from './seen-events.js';

describe('SeenEvents', () => {
  it('tells new, in-progress and done ids apart and forgets the oldest past its capacity', () => {
    const seen = new SeenEvents(2);
    const a = seen.arrived('a');
    expect(typeof a).toBe('number');
    expect(seen.arrived('a')).toBe(false);
    seen.done('a', a as number);
    expect(seen.arrived('a')).toBe(true);
    const b = seen.arrived('b') as number;
    seen.arrived('c');
    expect(typeof seen.arrived('a')).toBe('number');
    // 'b' was forgotten when 'a' came back: a late `done` for it marks nothing.
    seen.done('b', b);
    expect(seen.arrived('c')).toBe(false);
  });
});

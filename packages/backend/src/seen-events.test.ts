import { describe, expect, it } from 'vitest';
import { SeenEvents } from './seen-events.js';

describe('SeenEvents', () => {
  it('tells new, in-progress and done ids apart and forgets the oldest past its capacity', () => {
    const seen = new SeenEvents(2);
    expect(seen.arrived('a')).toBeUndefined();
    expect(seen.arrived('a')).toBe(false);
    seen.done('a');
    expect(seen.arrived('a')).toBe(true);
    seen.arrived('b');
    seen.arrived('c');
    expect(seen.arrived('a')).toBeUndefined();
  });
});

// Resume tokens: the rooms they list, their caps, and the older format (no rooms) both ways.
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_ROOMS, ResumeTokens } from './resume-tokens.js';

const tokens = new ResumeTokens('a-secret-of-sixteen-or-more');
const NOW = 1_700_000_000_000;

describe('ResumeTokens', () => {
  it('proves the client id and the rooms it lists until its expiry', () => {
    const token = tokens.issue('c1', NOW + 1000, ['lobby', 'chat:ü']);
    expect(tokens.verify(token, NOW)).toEqual({ clientId: 'c1', rooms: ['lobby', 'chat:ü'] });
    expect(tokens.verify(token, NOW + 1001)).toBeUndefined();
    expect(new ResumeTokens('another-secret-of-sixteen').verify(token, NOW)).toBeUndefined();
  });

  it('lists no rooms past the caps (too many, or too many bytes): the token still proves the id', () => {
    const many = Array.from({ length: MAX_TOKEN_ROOMS + 1 }, (_, i) => `r${i}`);
    expect(tokens.verify(tokens.issue('c1', NOW + 1000, many), NOW)).toEqual({ clientId: 'c1', rooms: [] });
    expect(tokens.verify(tokens.issue('c1', NOW + 1000, many.slice(1)), NOW)?.rooms).toHaveLength(MAX_TOKEN_ROOMS);
    const long = ['x'.repeat(2100)];
    expect(tokens.verify(tokens.issue('c1', NOW + 1000, long), NOW)).toEqual({ clientId: 'c1', rooms: [] });
  });

  it('a token without rooms has the earlier format, and an earlier broker reads the expiry of one with rooms', () => {
    const plain = tokens.issue('c1', NOW + 1000);
    expect(plain.split('.')[1]).toBe((NOW + 1000).toString(36));
    expect(tokens.verify(plain, NOW)).toEqual({ clientId: 'c1', rooms: [] });
    // The earlier reader MACs the middle part whole (as this one does) and parses it with parseInt, which stops at '~'.
    const middle = tokens.issue('c1', NOW + 1000, ['lobby']).split('.')[1]!;
    expect(middle).toContain('~');
    expect(parseInt(middle, 36)).toBe(NOW + 1000);
  });
});

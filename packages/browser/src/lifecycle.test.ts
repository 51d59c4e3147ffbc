// The lifecycle table: which moves exist, what survives a retry, and what `client.state` can show.
import { describe, expect, it } from 'vitest';
import { type Lifecycle, TRANSITIONS, move, publicState, retryState } from './lifecycle.js';

const STATES = Object.keys(TRANSITIONS) as Lifecycle[];

describe('move', () => {
  it('returns the new state for a move the table allows', () => {
    expect(move('connecting', 'unconfirmed')).toBe('unconfirmed');
    expect(move('unconfirmed', 'open')).toBe('open');
    expect(move('reconnecting', 'reconnecting')).toBe('reconnecting');
  });

  it('refuses every move out of closed', () => {
    expect(TRANSITIONS.closed).toEqual([]);
    for (const to of STATES) expect(() => move('closed', to)).toThrow(`no move from closed to ${to}`);
  });

  it.each<[Lifecycle, Lifecycle]>([
    ['connecting', 'open'], // a socket is confirmed only after it opened
    ['open', 'unconfirmed'], // an accepted connection is not doubted again
    ['open', 'open'],
    ['open', 'retrying'], // once a socket opened, a retry is a reconnect
    ['reconnecting', 'retrying'],
    ['unconfirmed', 'connecting'],
  ])('refuses %s -> %s', (from, to) => {
    expect(() => move(from, to)).toThrow(`no move from ${from} to ${to}`);
  });
});

describe('retryState', () => {
  it('keeps whether a socket ever opened, and is always an allowed move', () => {
    const retried = (['connecting', 'retrying', 'unconfirmed', 'open', 'reconnecting'] as const).map((from) => [from, retryState(from)]);
    expect(retried).toEqual([
      ['connecting', 'retrying'],
      ['retrying', 'retrying'],
      ['unconfirmed', 'reconnecting'],
      ['open', 'reconnecting'],
      ['reconnecting', 'reconnecting'],
    ]);
    for (const [from, to] of retried) expect(move(from!, to!)).toBe(to);
  });
});

describe('publicState', () => {
  it('shows an unconfirmed socket as open and a retry before any open as reconnecting', () => {
    expect(STATES.map(publicState)).toEqual(['connecting', 'reconnecting', 'open', 'open', 'reconnecting', 'closed']);
  });

  it('moves only as the README documents', () => {
    const seen = new Set<string>();
    for (const from of STATES) {
      for (const to of TRANSITIONS[from]) {
        if (publicState(from) !== publicState(to)) seen.add(`${publicState(from)} -> ${publicState(to)}`);
      }
    }
    expect([...seen].sort()).toEqual([
      'connecting -> closed',
      'connecting -> open',
      'connecting -> reconnecting',
      'open -> closed',
      'open -> reconnecting',
      'reconnecting -> closed',
      'reconnecting -> open',
    ]);
  });
});

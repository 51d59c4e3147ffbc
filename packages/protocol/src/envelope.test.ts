// The reactive-route envelope carried inside message strings.
import { describe, expect, it } from 'vitest';
import { encodeEnvelope, parseEnvelope, type Envelope } from './index.js';

describe('parseEnvelope', () => {
  const all: Envelope[] = [
    { strands: 'request', id: '1', route: 'chat.who', data: { room: 'a' } },
    { strands: 'fire', route: 'chat.typing', data: null },
    { strands: 'stream', id: '2', route: 'feed', data: {}, n: 8 },
    { strands: 'request_n', id: '2', n: 4 },
    { strands: 'cancel', id: '2' },
    { strands: 'response', id: '1', data: ['a', 'b'] },
    { strands: 'next', id: '2', data: { text: 'x' } },
    { strands: 'complete', id: '2' },
    { strands: 'error', id: '1', code: 'invalid_input', message: 'room: expected string' },
  ];
  it.each(all.map((e) => [e.strands, e] as const))('round-trips %s', (_kind, envelope) => {
    expect(parseEnvelope(encodeEnvelope(envelope))).toEqual({ kind: 'envelope', envelope });
  });

  it('sees plain text and other JSON as ordinary messages', () => {
    expect(parseEnvelope('hello')).toEqual({ kind: 'none' });
    expect(parseEnvelope('{"type":"chat","text":"hi"}')).toEqual({ kind: 'none' });
    expect(parseEnvelope('not json but mentions "strands"')).toEqual({ kind: 'none' });
  });

  it('reports a malformed envelope with its id so the sender can be told', () => {
    const result = parseEnvelope('{"strands":"request_n","id":"7","n":0}');
    expect(result).toMatchObject({ kind: 'invalid', id: '7' });
    expect(result.kind === 'invalid' && result.message).toContain('n');
    expect(parseEnvelope('{"strands":"teleport"}')).toMatchObject({ kind: 'invalid', id: undefined });
  });
});

describe('envelope data', () => {
  it('may be absent, for a route whose input or output is undefined', () => {
    expect(parseEnvelope('{"strands":"request","id":"1","route":"ping"}')).toEqual({
      kind: 'envelope',
      envelope: { strands: 'request', id: '1', route: 'ping' },
    });
  });
});

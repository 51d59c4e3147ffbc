import { encodeEnvelope as encodeWithProtocol, parseEnvelope } from '@strands/protocol';
import { describe, expect, it } from 'vitest';
import { decodeIncoming as decodeReply, encodeEnvelope, type OutgoingEnvelope } from './envelope.js';

describe('outgoing envelopes', () => {
  const outgoing: OutgoingEnvelope[] = [
    { strands: 'request', id: '1', route: 'chat.who', data: { room: 'lobby' } },
    { strands: 'request', id: '2', route: 'chat.ping', data: undefined },
    { strands: 'fire', route: 'chat.typing', data: true },
    { strands: 'stream', id: 'a', route: 'chat.feed', data: { room: 'x' }, n: 16 },
    { strands: 'request_n', id: 'a', n: 8 },
    { strands: 'cancel', id: 'a' },
  ];

  it.each(outgoing)('$strands is read back by @strands/protocol as the same envelope', (envelope) => {
    const parsed = parseEnvelope(encodeEnvelope(envelope));
    const expected = 'data' in envelope && envelope.data === undefined ? { ...envelope, data: null } : envelope;
    expect(parsed).toEqual({ kind: 'envelope', envelope: expected });
  });
});

describe('decodeReply', () => {
  it('reads every reply kind the protocol package writes', () => {
    const replies = [
      { strands: 'response', id: '1', data: ['ann', 'bob'] },
      { strands: 'next', id: 'a', data: { text: 'hi' } },
      { strands: 'complete', id: 'a' },
      { strands: 'error', id: '1', code: 'handler_error', message: 'boom' },
    ] as const;
    for (const reply of replies) expect(decodeReply(encodeWithProtocol(reply))).toEqual(reply);
  });

  it('reads an error code a newer backend added, so the call fails at once instead of timing out', () => {
    const reply = { strands: 'error', id: '3', code: 'rate_limited', message: 'slow down' };
    expect(decodeReply(JSON.stringify(reply))).toEqual(reply);
  });

  it('accepts a response whose data was undefined (absent after JSON)', () => {
    expect(decodeReply('{"strands":"response","id":"7"}')).toEqual({ strands: 'response', id: '7' });
  });

  it.each([
    ['plain text', 'hello'],
    ['text mentioning strands', 'I like "strands"'],
    ['JSON without the key', '{"id":"1","data":2}'],
    ['a request (not a reply)', '{"strands":"request","id":"1","route":"r","data":1}'],
    ['a reply without id', '{"strands":"response","data":1}'],
    ['a reply with an empty id (the schema wants one)', '{"strands":"next","id":"","data":1}'],
    ['an error without message', '{"strands":"error","id":"1","code":"timeout"}'],
    ['broken JSON', '{"strands":"response",'],
    ['JSON null', 'null'],
  ])('leaves %s to the application', (_, message) => {
    expect(decodeReply(message)).toBeUndefined();
  });
});

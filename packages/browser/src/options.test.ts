import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BUFFERED_MESSAGES,
  DEFAULT_STREAM_CREDITS,
  resolveOptions,
} from './options.js';

describe('resolveOptions', () => {
  it('fills in the defaults, offering the strands.v1 subprotocol', () => {
    const o = resolveOptions({ WebSocket });
    expect(o.protocols).toEqual(['strands.v1', 'strands.v1.refusal']);
    expect(o.initialBackoffMs).toBe(DEFAULT_INITIAL_BACKOFF_MS);
    expect(o.maxBufferedMessages).toBe(DEFAULT_MAX_BUFFERED_MESSAGES);
    expect(o.streamCredits).toBe(DEFAULT_STREAM_CREDITS);
    expect(o.maxReconnectAttempts).toBe(Infinity);
  });

  it('explains a missing WebSocket (Node 20 has none)', () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect(() => resolveOptions()).toThrow(/no WebSocket implementation/);
    } finally {
      if (saved) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });

  it.each([
    [{ initialBackoffMs: 0 }, /initialBackoffMs/],
    [{ initialBackoffMs: 2_000, maxBackoffMs: 1_000 }, /initialBackoffMs <= maxBackoffMs/],
    [{ maxReconnectAttempts: -1 }, /maxReconnectAttempts/],
    [{ maxBufferedMessages: 1.5 }, /maxBufferedMessages/],
    [{ requestTimeoutMs: 0 }, /requestTimeoutMs/],
    [{ streamCredits: 0 }, /streamCredits/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveOptions({ WebSocket, ...options })).toThrow(message);
  });
});

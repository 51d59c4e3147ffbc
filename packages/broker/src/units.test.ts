// Unit checks of the small pure pieces: options, header names, addresses, frames, param checks.
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { flatCopy, truncateUtf8 } from './core/text.js';
import { checkBackendFrame } from '@strands/protocol/wire';
import { canonicalHeaderName, remoteAddress } from './gateway/handshake.js';
import { textFrame } from './gateway/ws-frames.js';
import { DEFAULT_CLIENT_WRITE_DELAY_MS, DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS, DEFAULT_QUEUE_SIZE, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({ wsPort: 8080, tcpPort: 8081, host: '0.0.0.0', tcpHost: '127.0.0.1', queueSize: DEFAULT_QUEUE_SIZE });
    expect(o).toMatchObject({ queueOverflow: 'drop-newest', connectionRequestTimeoutMs: 10_000, heartbeatIntervalMs: 15_000, maxMessageBytes: 1024 * 1024 });
  });

  it('waits before fan-out writes in cluster mode only, unless told', () => {
    const cluster = { url: 'redis://127.0.0.1:6379/0' };
    expect(resolveOptions().clientWriteDelayMs).toBe(DEFAULT_CLIENT_WRITE_DELAY_MS);
    expect(DEFAULT_CLIENT_WRITE_DELAY_MS).toBe(0);
    expect(resolveOptions({ cluster }).clientWriteDelayMs).toBe(DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS);
    expect(DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS).toBe(1);
    // A clustered backplane given instead of `cluster` (createBroker says so).
    expect(resolveOptions({}, true).clientWriteDelayMs).toBe(1);
    expect(resolveOptions({ cluster, clientWriteDelayMs: 0 }).clientWriteDelayMs).toBe(0);
    expect(resolveOptions({ clientWriteDelayMs: 3 }, true).clientWriteDelayMs).toBe(3);
  });

  it.each([
    [{ wsPort: 65_536 }, /wsPort/],
    [{ tcpPort: -1 }, /tcpPort/],
    [{ queueOverflow: 'random' as never }, /queueOverflow/],
    [{ logLevel: 'chatty' as never }, /logLevel/],
    [{ backendToken: '' }, /backendToken/],
    [{ heartbeatIntervalMs: 0 }, /heartbeatIntervalMs/],
  ])('refuses %j', (input, message) => {
    expect(() => resolveOptions(input)).toThrow(message);
  });
});

describe('handshake helpers', () => {
  it('spells header names as Go does', () => {
    expect(canonicalHeaderName('x-client-id')).toBe('X-Client-Id');
    expect(canonicalHeaderName('AUTHORIZATION')).toBe('Authorization');
    expect(canonicalHeaderName('sec-websocket-key')).toBe('Sec-Websocket-Key');
    // Remembered names are spelled the same the second time, and past the bound still spelled right.
    expect(canonicalHeaderName('x-client-id')).toBe('X-Client-Id');
    for (let i = 0; i < 300; i += 1) expect(canonicalHeaderName(`x-h${i}-name`)).toBe(`X-H${i}-Name`);
  });

  it('prints peer addresses as ip:port', () => {
    expect(remoteAddress({ remoteAddress: '::ffff:10.0.0.1', remotePort: 5 })).toBe('10.0.0.1:5');
    expect(remoteAddress({ remoteAddress: '::1', remotePort: 6 })).toBe('[::1]:6');
    expect(remoteAddress({ remoteAddress: '127.0.0.1', remotePort: 7 })).toBe('127.0.0.1:7');
  });
});

// ws exports Sender at runtime; @types/ws does not declare it.
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] };
};

describe('textFrame', () => {
  it.each([0, 5, 125, 126, 1000, 65_535, 65_536, 200_000])('matches ws Sender.frame for %i bytes', (n) => {
    const text = 'é'.repeat(Math.floor(n / 2)) + 'a'.repeat(n % 2);
    const expected = Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
    expect(textFrame(text).equals(expected)).toBe(true);
  });
});

describe('frame checks', () => {
  it('tells malformed JSON, bad envelopes and wrong param types apart (the protocol checker the handler uses)', () => {
    const refusal = (line: string) => {
      const r = checkBackendFrame(line);
      return r.ok ? undefined : r.refusal;
    };
    expect(refusal('{')).toMatchObject({ code: 'invalid_json' });
    expect(refusal('"x"')).toMatchObject({ code: 'invalid_frame' });
    expect(refusal('{"action":"broadcast","request_id":"1"}')).toMatchObject({ code: 'invalid_frame', requestId: '1' });
    expect(refusal('{"action":"broadcast","request_id":"2","params":{"message":3}}')).toMatchObject({
      code: 'invalid_params',
      requestId: '2',
      message: expect.stringMatching(/params\.message must be a string, got number/),
    });
    expect(refusal('{"action":"broadcast","request_id":"3","params":{"message":"ok","extra":1}}')).toBeUndefined();
    expect(refusal('{"action":"join_room","request_id":"4","params":{"conn_id":"c","room_id":"r","x":null}}')).toBeUndefined();
    expect(refusal('{"action":"response","request_id":"5","params":{"accepted":false,"status":null}}')).toBeUndefined();
  });

  it('truncates close reasons on character boundaries', () => {
    expect(truncateUtf8('ééé', 5)).toBe('éé');
    expect(Buffer.byteLength(truncateUtf8('x'.repeat(500), 123))).toBe(123);
  });

  it('copies strings into one piece without changing them, lone surrogates and non-Latin text included', () => {
    for (const text of ['', 'a', '{"client_id":"e834e13f-308f-4fa3-8d74-b0e460610c8b"}', 'é\u{1F600}ß', '\uD800x\uDFFF', '"\\\n\u0000']) {
      expect(flatCopy(text)).toBe(text);
    }
  });
});

// The SDK's broker-line decoder and encoders, through the protocol's zod-free wire.
import { parseFrame } from '@strands/protocol';
import { describe, expect, it } from 'vitest';
import { decodeBrokerLine, messageToConnectionJsonLine, messageToConnectionLine, messageToRoomLine, nextRequestId, responseLine } from './wire.js';

const context = '{"client_id":"c1","room_id":"r"}';

describe('decodeBrokerLine', () => {
  it('reads a context without metadata, or with null metadata, as metadata {}', () => {
    for (const ctx of [context, '{"client_id":"c1","room_id":"r","metadata":null}']) {
      const decoded = decodeBrokerLine(`{"action":"new_message","request_id":"1","params":{"message":"hi","context":${ctx}}}`);
      expect(decoded).toMatchObject({ frame: { params: { message: 'hi', context: { client_id: 'c1', room_id: 'r', metadata: {} } } } });
    }
  });

  it('reads optional params sent as null as absent', () => {
    const decoded = decodeBrokerLine(`{"action":"disconnected","request_id":"1","params":{"context":${context},"code":null,"reason":null}}`);
    expect(decoded !== null && 'frame' in decoded && decoded.frame.params).toEqual({ context: { client_id: 'c1', room_id: 'r', metadata: {} } });
  });

  it('refuses what the schema refuses, with its code, action and request id', () => {
    const bad = decodeBrokerLine('{"action":"new_message","request_id":"7","params":{"message":"hi","context":{"client_id":"c1","room_id":"r","metadata":"x"}}}');
    expect(bad).toMatchObject({ error: { name: 'FrameError', code: 'invalid_params', action: 'new_message', requestId: '7' } });
    expect(decodeBrokerLine(`{"action":"new_message","request_id":"8","params":{"message":"hi","context":${context},"encoding":"hex"}}`)).toMatchObject({
      error: { code: 'invalid_params' },
    });
    expect(decodeBrokerLine('{"action":')).toMatchObject({ error: { code: 'invalid_json', cause: expect.any(SyntaxError) } });
    // A JSON string holding a frame is not a frame (it used to be parsed a second time).
    expect(decodeBrokerLine(JSON.stringify('{"action":"heartbeat","request_id":"h","params":{}}'))).toMatchObject({ error: { code: 'invalid_frame' } });
  });

  it('returns null for an action it does not know (peers ignore those)', () => {
    expect(decodeBrokerLine('{"action":"teleport","request_id":"1","params":{}}')).toBeNull();
  });
});

describe('encoders', () => {
  it('number their own frames b1, b2, ... and write lines the schema reads back', () => {
    const id = nextRequestId();
    expect(id).toMatch(/^b[0-9a-z]+$/);
    const line = messageToRoomLine('lobby', 'hi "you"');
    const parsed = parseFrame(line.trimEnd(), 'backend');
    expect(parsed.ok && parsed.frame).toMatchObject({ action: 'message_to_room', params: { room_id: 'lobby', message: 'hi "you"' } });
    expect(parsed.ok && parsed.frame.request_id).not.toBe(id);
    expect(JSON.parse(responseLine('r"1', { accepted: false, status: 401, reason: undefined }))).toEqual({
      action: 'response',
      request_id: 'r"1',
      params: { accepted: false, status: 401 },
    });
  });

  it('write the same message_to_connection from texts already JSON as from the values', () => {
    for (const [clientId, message] of [['c1', 'hi'], ['c"2', '{"t":"1","p":"x\\y"}'], ['\u00e9', 'caf\u00e9 \n']] as const) {
      const fromJson = messageToConnectionJsonLine(JSON.stringify(clientId), JSON.stringify(message));
      const fromValues = messageToConnectionLine(clientId, message);
      const withoutId = (line: string) => line.replace(/"request_id":"[^"]*"/, '"request_id":""');
      expect(withoutId(fromJson)).toBe(withoutId(fromValues));
      expect(parseFrame(fromJson.trimEnd(), 'backend')).toMatchObject({ ok: true, frame: { params: { conn_id: clientId, message } } });
    }
  });
});

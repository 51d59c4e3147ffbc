// Every frame shape of the PyStrands 1.0 wire protocol and the Strands additions: parse and re-encode.
import { describe, expect, it } from 'vitest';
import { encodeFrame, parseFrame } from './index.js';

const ctx = { client_id: 'c1', room_id: '/ws/room1', metadata: { role: 'admin', n: 1 } };

const fromBroker = [
  {
    action: 'connection_request',
    request_id: '5b0c7e2a-1d1e-4c55-9a77-0e0f2b1c3d4e',
    params: {
      headers: { Authorization: ['Bearer x'], 'X-Client-Id': ['abc'], 'Sec-Websocket-Version': ['13'] },
      url: '/ws/room1',
      remote_addr: '127.0.0.1:50123',
    },
  },
  { action: 'connection_request', request_id: 'r2', params: { headers: {}, url: '/r', remote_addr: '[::1]:1', query: { token: ['a', 'b'] } } },
  { action: 'new_connection', request_id: 'r3', params: { context: ctx } },
  { action: 'new_message', request_id: 'r4', params: { message: 'hello', context: ctx } },
  { action: 'new_message', request_id: 'r4b', params: { message: 'AAEC', context: ctx, encoding: 'base64' } },
  { action: 'disconnected', request_id: 'r5', params: { context: ctx } },
  { action: 'error', request_id: 'r6', params: { context: {}, error: 'backend failed' } },
  { action: 'heartbeat', request_id: 'heartbeat', params: {} },
  { action: 'hello_reply', request_id: 'h1', params: { accepted: false, reason: 'bad token' } },
  { action: 'room_members_reply', request_id: 'm1', params: { room_id: 'lobby', members: [{ client_id: 'c1', metadata: {} }] } },
  { action: 'error_reply', request_id: 'x1', params: { code: 'invalid_params', message: 'room_id: expected string', action: 'join_room' } },
] as const;

const fromBackend = [
  { action: 'response', request_id: 'r1', params: { accepted: true, client_id: 'c1', room_id: '/ws/room1', metadata: { a: [1, 2] } } },
  { action: 'response', request_id: 'r1', params: { accepted: false } },
  { action: 'response', request_id: 'r1', params: { accepted: false, status: 401, reason: 'bad token' } },
  { action: 'message_to_room', request_id: 'r7', params: { room_id: 'room1', message: 'hi all' } },
  { action: 'message_to_connection', request_id: 'r8', params: { conn_id: 'c1', message: 'hi you' } },
  { action: 'broadcast', request_id: 'r9', params: { message: 'hi everyone' } },
  { action: 'hello', request_id: 'h', params: { name: 'svc', protocol_version: 1, token: 't', capabilities: ['rooms'] } },
  { action: 'join_room', request_id: 'j', params: { conn_id: 'c1', room_id: 'b' } },
  { action: 'leave_room', request_id: 'l', params: { conn_id: 'c1', room_id: 'b' } },
  { action: 'disconnect_connection', request_id: 'd', params: { conn_id: 'c1', code: 4000, reason: 'bye' } },
  { action: 'room_members', request_id: 'm', params: { room_id: 'b' } },
] as const;

describe('parseFrame', () => {
  it.each(fromBroker.map((f) => [f.action, f] as const))('parses %s from a broker and re-encodes it unchanged', (action, frame) => {
    const result = parseFrame(encodeFrame(frame).trimEnd(), 'broker');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame.action).toBe(action);
    expect(JSON.parse(encodeFrame(result.frame))).toEqual(frame);
  });

  it.each(fromBackend.map((f) => [f.action, f] as const))('parses %s from a backend and re-encodes it unchanged', (action, frame) => {
    const result = parseFrame(JSON.stringify(frame), 'backend');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.frame.action).toBe(action);
    expect(JSON.parse(encodeFrame(result.frame))).toEqual(frame);
  });

  it('narrows params by action', () => {
    const result = parseFrame(JSON.stringify(fromBackend[3]), 'backend');
    if (!result.ok || result.frame.action !== 'message_to_room') throw new Error('expected message_to_room');
    expect(result.frame.params.room_id).toBe('room1');
  });

  it('keeps keys it does not know, at the frame and params level', () => {
    const frame = { action: 'broadcast', request_id: '1', params: { message: 'x', priority: 5 }, trace: 'abc' };
    const result = parseFrame(JSON.stringify(frame), 'backend');
    expect(result.ok && JSON.parse(encodeFrame(result.frame))).toEqual(frame);
  });

  it('accepts an already decoded object', () => {
    expect(parseFrame({ action: 'broadcast', request_id: '', params: { message: '' } }, 'backend').ok).toBe(true);
  });

  const bad: Array<[string, unknown, string]> = [
    ['invalid_json', '{"action":', 'not valid JSON'],
    ['invalid_json', 'hello', 'not valid JSON'],
    ['invalid_frame', '[1,2]', 'not a JSON object'],
    ['invalid_frame', 'null', 'not a JSON object'],
    ['invalid_frame', '{"request_id":"1","params":{}}', '"action"'],
    ['invalid_frame', '{"action":"broadcast","request_id":7,"params":{}}', '"request_id"'],
    ['invalid_frame', '{"action":"broadcast","request_id":"1"}', '"params"'],
    ['invalid_frame', '{"action":"broadcast","request_id":"1","params":[]}', '"params"'],
    ['invalid_params', '{"action":"broadcast","request_id":"1","params":{"message":42}}', 'message'],
    ['invalid_params', '{"action":"message_to_room","request_id":"1","params":{"message":"x"}}', 'room_id'],
    ['invalid_params', '{"action":"response","request_id":"1","params":{"accepted":"yes"}}', 'accepted'],
    ['invalid_params', '{"action":"response","request_id":"1","params":{"accepted":true,"metadata":[1]}}', 'metadata'],
    ['unknown_action', '{"action":"teleport","request_id":"9","params":{}}', 'teleport'],
  ];
  it.each(bad)('returns %s for %s', (code, input, mention) => {
    const result = parseFrame(input, 'backend');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.name).toBe('FrameError');
    expect(result.error.message).toContain(mention);
  });

  it('carries the request_id and action of a frame it refuses, so a reply can name it', () => {
    const result = parseFrame('{"action":"join_room","request_id":"abc","params":{"conn_id":1}}', 'backend');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'invalid_params', requestId: 'abc', action: 'join_room' });
  });

  it('treats an action of the other direction as unknown', () => {
    const result = parseFrame(JSON.stringify(fromBroker[2]), 'backend');
    expect(!result.ok && result.error.code).toBe('unknown_action');
  });

  it('rejects a context whose metadata is not an object', () => {
    const frame = { action: 'new_connection', request_id: '1', params: { context: { client_id: 'a', room_id: 'r', metadata: 'x' } } };
    const result = parseFrame(JSON.stringify(frame), 'broker');
    expect(!result.ok && result.error.code).toBe('invalid_params');
  });
});

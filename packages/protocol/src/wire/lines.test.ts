// Every encoder's line parses with zod's parseFrame, and with the fast checker, to the frame meant.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyInt, anyJson, anyObject, anyString, nonEmptyString, stringList, stringLists } from '../../test/support/json-arbitraries.js';
import { NUM_RUNS, SEED, holds } from '../../test/support/property.js';
import { parseEnvelope, parseFrame, type FrameSource } from '../index.js';
import * as wire from './index.js';

const safeId = fc.stringMatching(/^[A-Za-z0-9._:-]{0,12}$/).map(wire.toSafeRequestId);
const context = fc.record({ client_id: anyString, room_id: anyString, metadata: anyObject });

/** Asserts `line` is one newline-terminated frame that both readers take as `expected`. */
function reads(line: string, source: FrameSource, expected: object): void {
  expect(line.endsWith('\n')).toBe(true);
  expect(line.indexOf('\n')).toBe(line.length - 1);
  const text = line.slice(0, -1);
  expect(source === 'broker' ? parseFrame(text, 'broker') : parseFrame(text, 'backend')).toEqual({ ok: true, frame: expected });
  expect((source === 'broker' ? wire.checkBrokerFrame : wire.checkBackendFrame)(text)).toEqual({ ok: true, frame: expected });
}

describe(`broker -> backend encoders (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('new_message, text and base64', () => {
    holds(
      fc.property(safeId, anyString, context, fc.boolean(), (id, message, ctx, base64) => {
        const params = base64 ? { message, context: ctx, encoding: 'base64' } : { message, context: ctx };
        reads(wire.newMessageLine(id, message, wire.contextJson(ctx.client_id, ctx.room_id, ctx.metadata), base64), 'broker', {
          action: 'new_message',
          request_id: id,
          params,
        });
      }),
    );
  });

  it('new_connection and disconnected', () => {
    holds(
      fc.property(safeId, context, anyInt, anyString, (id, ctx, code, reason) => {
        const json = wire.contextJson(ctx.client_id, ctx.room_id, ctx.metadata);
        reads(wire.newConnectionLine(id, json), 'broker', { action: 'new_connection', request_id: id, params: { context: ctx } });
        reads(wire.disconnectedLine(id, json, code, reason), 'broker', { action: 'disconnected', request_id: id, params: { context: ctx, code, reason } });
      }),
    );
  });

  it('connection_request, with and without a query', () => {
    holds(
      fc.property(anyString, stringLists, anyString, anyString, fc.option(stringLists, { nil: undefined }), (id, headers, url, remote, query) => {
        const params = query === undefined ? { headers, url, remote_addr: remote } : { headers, url, remote_addr: remote, query };
        reads(wire.connectionRequestLine(id, params), 'broker', { action: 'connection_request', request_id: id, params });
      }),
    );
  });

  it('error event, heartbeat', () => {
    holds(
      fc.property(safeId, anyObject, anyString, (id, ctx, error) => {
        reads(wire.errorEventLine(id, ctx, error), 'broker', { action: 'error', request_id: id, params: { context: ctx, error } });
      }),
    );
    reads(wire.HEARTBEAT_LINE, 'broker', { action: 'heartbeat', request_id: wire.HEARTBEAT_REQUEST_ID, params: {} });
  });

  it('hello_reply, accepted and refused', () => {
    holds(
      fc.property(anyString, anyString, stringList, fc.option(anyString, { nil: undefined }), (id, broker, capabilities, reason) => {
        const base = { broker, protocol_version: wire.PROTOCOL_VERSION };
        reads(wire.helloReplyLine(id, broker, { accepted: true, capabilities }), 'broker', {
          action: 'hello_reply',
          request_id: id,
          params: { accepted: true, ...base, capabilities },
        });
        reads(wire.helloReplyLine(id, broker, { accepted: false, reason }), 'broker', {
          action: 'hello_reply',
          request_id: id,
          params: reason === undefined ? { accepted: false, ...base } : { accepted: false, reason, ...base },
        });
      }),
    );
  });

  it('room_members_reply', () => {
    holds(
      fc.property(anyString, anyString, fc.array(fc.tuple(anyString, anyObject), { maxLength: 4 }), (id, roomId, members) => {
        const line = wire.roomMembersReplyLine(id, roomId, members.map(([clientId, metadata]) => wire.roomMemberJson(clientId, metadata)));
        reads(line, 'broker', {
          action: 'room_members_reply',
          request_id: id,
          params: { room_id: roomId, members: members.map(([client_id, metadata]) => ({ client_id, metadata })) },
        });
      }),
    );
  });

  it('error_reply, with and without the action', () => {
    holds(
      fc.property(anyString, fc.constantFrom(...wire.ERROR_REPLY_CODES), anyString, fc.option(anyString, { nil: undefined }), (id, code, message, action) => {
        reads(wire.errorReplyLine(id, code, message, action), 'broker', {
          action: 'error_reply',
          request_id: id,
          params: action === undefined ? { code, message } : { code, message, action },
        });
      }),
    );
  });
});

describe(`backend -> broker encoders (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('message_to_room, message_to_connection, broadcast, text and base64', () => {
    holds(
      fc.property(safeId, anyString, anyString, fc.boolean(), (id, target, message, base64) => {
        const extra = base64 ? { encoding: 'base64' } : {};
        reads(wire.messageToRoomLine(id, target, message, base64), 'backend', {
          action: 'message_to_room',
          request_id: id,
          params: { room_id: target, message, ...extra },
        });
        reads(wire.messageToConnectionLine(id, target, message, base64), 'backend', {
          action: 'message_to_connection',
          request_id: id,
          params: { conn_id: target, message, ...extra },
        });
        reads(wire.broadcastLine(id, message, base64), 'backend', { action: 'broadcast', request_id: id, params: { message, ...extra } });
      }),
    );
  });

  it('join_room, leave_room, room_members', () => {
    holds(
      fc.property(safeId, fc.constantFrom('join_room' as const, 'leave_room' as const), anyString, anyString, (id, action, clientId, roomId) => {
        reads(wire.roomChangeLine(id, action, clientId, roomId), 'backend', { action, request_id: id, params: { conn_id: clientId, room_id: roomId } });
        reads(wire.roomMembersLine(id, roomId), 'backend', { action: 'room_members', request_id: id, params: { room_id: roomId } });
      }),
    );
  });

  it('disconnect_connection, with and without code and reason', () => {
    const code = fc.option(fc.oneof(fc.constant(1000), fc.integer({ min: 3000, max: 4999 })), { nil: undefined });
    holds(
      fc.property(safeId, anyString, code, fc.option(anyString, { nil: undefined }), (id, clientId, c, reason) => {
        reads(wire.disconnectConnectionLine(id, clientId, c, reason), 'backend', {
          action: 'disconnect_connection',
          request_id: id,
          params: { conn_id: clientId, ...(c === undefined ? {} : { code: c }), ...(reason === undefined ? {} : { reason }) },
        });
      }),
    );
  });

  it('hello, with and without token and capabilities', () => {
    holds(
      fc.property(safeId, anyString, fc.option(anyString, { nil: undefined }), fc.option(stringList, { nil: undefined }), (id, name, token, capabilities) => {
        const params = { name, protocol_version: wire.PROTOCOL_VERSION, ...(token === undefined ? {} : { token }), ...(capabilities === undefined ? {} : { capabilities }) };
        reads(wire.helloLine(id, name, token, capabilities), 'backend', { action: 'hello', request_id: id, params });
      }),
    );
  });

  it('response, accepted and rejected', () => {
    holds(
      fc.property(anyString, anyString, anyString, anyObject, fc.integer({ min: 400, max: 599 }), (id, clientId, roomId, metadata, status) => {
        const accepted = { accepted: true, client_id: clientId, room_id: roomId, metadata };
        reads(wire.responseLine(id, accepted), 'backend', { action: 'response', request_id: id, params: accepted });
        reads(wire.responseLine(id, { accepted: false, status }), 'backend', { action: 'response', request_id: id, params: { accepted: false, status } });
      }),
    );
  });
});

describe(`envelope encoders (fast-check seed ${SEED}, ${NUM_RUNS} runs)`, () => {
  it('response, next, complete and error read back as the envelope meant', () => {
    const data = fc.oneof(fc.constant(undefined), anyJson);
    holds(
      fc.property(nonEmptyString, data, fc.constantFrom(...wire.ROUTE_ERROR_CODES), anyString, (id, value, code, message) => {
        const withData = value === undefined ? {} : { data: value };
        const cases: Array<[string, object]> = [
          [wire.responseEnvelope(id, value), { strands: 'response', id, ...withData }],
          [wire.nextEnvelope(id, value), { strands: 'next', id, ...withData }],
          [wire.completeEnvelope(id), { strands: 'complete', id }],
          [wire.errorEnvelope(id, code, message), { strands: 'error', id, code, message }],
        ];
        for (const [text, envelope] of cases) {
          expect(parseEnvelope(text)).toEqual({ kind: 'envelope', envelope });
          expect(wire.checkEnvelope(text)).toEqual({ kind: 'envelope', envelope });
          expect(wire.checkReplyEnvelope(text)).toEqual(envelope);
        }
      }),
    );
  });

  it('event reads back as the event meant, for clients only', () => {
    holds(
      fc.property(nonEmptyString, fc.oneof(fc.constant(undefined), anyJson), (event, value) => {
        const text = wire.eventEnvelope(event, value);
        const envelope = { strands: 'event', event, ...(value === undefined ? {} : { data: value }) };
        expect(parseEnvelope(text)).toEqual({ kind: 'envelope', envelope });
        expect(wire.checkEnvelope(text)).toEqual({ kind: 'envelope', envelope });
        expect(wire.checkIncomingEnvelope(text)).toEqual(envelope);
        expect(wire.checkReplyEnvelope(text)).toBeUndefined();
      }),
    );
  });
});

// Acts on each frame a backend sends: checks it, routes messages, manages rooms, answers errors.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FrameError } from '@strands/protocol';
import { textFrame } from '../gateway/ws-frames.js';
import type { Backend, Hub } from '../hub.js';
import { RateLimitedLog } from '../logger.js';
import { errorReplyLine, helloReplyLine, roomMembersReplyLine } from './backend-frames.js';
import { checkParams, FrameRefusal, readEnvelope, type Envelope, type ParamSpec } from './frame-check.js';

/** Receives the backend's `response` frames (the gateway owns pending upgrades). */
export interface ResponseSink {
  /** A well-formed `response`. */
  respond(backend: Backend, requestId: string, params: Record<string, unknown>): void;
  /** A `response` whose params are wrong: the upgrade it answers cannot proceed. */
  invalid(backend: Backend, requestId: string, message: string): void;
}

const SPECS: Readonly<Record<string, ParamSpec>> = {
  response: { accepted: 'boolean', client_id: 'string?', room_id: 'string?', metadata: 'object?', status: 'integer?', reason: 'string?' },
  message_to_room: { room_id: 'string', message: 'string' },
  message_to_connection: { conn_id: 'string', message: 'string' },
  broadcast: { message: 'string' },
  hello: { name: 'string', protocol_version: 'integer', token: 'string?' },
  join_room: { conn_id: 'string', room_id: 'string' },
  leave_room: { conn_id: 'string', room_id: 'string' },
  disconnect_connection: { conn_id: 'string', code: 'integer?', reason: 'string?' },
  room_members: { room_id: 'string' },
};

/** Dispatches backend frames. One instance serves every backend. */
export class BackendHandler {
  private readonly tokenDigest: Buffer | undefined;
  private readonly refusalLog = new RateLimitedLog(1000);

  constructor(
    private readonly hub: Hub,
    private readonly responses: ResponseSink,
  ) {
    const token = hub.options.backendToken;
    this.tokenDigest = token === undefined ? undefined : digest(token);
  }

  /** Handles one line from a backend. Never throws: a bad frame hurts nobody but its sender. */
  line(backend: Backend, line: string): void {
    this.hub.metrics.backendFramesIn += 1;
    const envelope = readEnvelope(line);
    if (envelope instanceof FrameRefusal) return this.refuse(backend, envelope);
    const spec = SPECS[envelope.action];
    if (spec === undefined) {
      return this.refuse(backend, new FrameRefusal('unknown_action', `unknown action "${envelope.action}"`, envelope.requestId, envelope.action));
    }
    if (!backend.authorized && envelope.action !== 'hello') {
      return this.refuse(backend, new FrameRefusal('unauthorized', 'say hello with the broker token first', envelope.requestId, envelope.action), true);
    }
    const refusal = checkParams(envelope, spec) ?? this.checkRanges(envelope);
    if (refusal !== undefined) {
      if (envelope.action === 'response') this.responses.invalid(backend, envelope.requestId, refusal.message);
      return this.refuse(backend, refusal);
    }
    this.act(backend, envelope);
  }

  /** A line over the maximum length was skipped. */
  oversize(backend: Backend, error: FrameError): void {
    this.refuse(backend, new FrameRefusal('frame_too_large', error.message, '', undefined));
  }

  private act(backend: Backend, { action, requestId, params }: Envelope): void {
    const hub = this.hub;
    switch (action) {
      case 'message_to_room': {
        const members = hub.rooms.members(params.room_id as string);
        hub.metrics.messagesOut += 1;
        if (members === undefined) return;
        const frame = textFrame(params.message as string);
        for (const member of members) hub.deliver(member, frame);
        hub.metrics.fanoutDeliveries += members.size;
        return;
      }
      case 'message_to_connection': {
        hub.metrics.messagesOut += 1;
        const client = hub.clients.get(params.conn_id as string);
        if (client !== undefined) hub.deliver(client, textFrame(params.message as string));
        return;
      }
      case 'broadcast': {
        hub.metrics.messagesOut += 1;
        if (hub.clients.size === 0) return;
        const frame = textFrame(params.message as string);
        for (const client of hub.clients.values()) hub.deliver(client, frame);
        hub.metrics.fanoutDeliveries += hub.clients.size;
        return;
      }
      case 'response':
        return this.responses.respond(backend, requestId, params);
      case 'hello':
        return this.hello(backend, requestId, params);
      case 'join_room':
      case 'leave_room': {
        const client = this.target(backend, requestId, action, params.conn_id as string);
        if (client === undefined) return;
        if (action === 'join_room') hub.rooms.join(client, params.room_id as string);
        else hub.rooms.leave(client, params.room_id as string);
        return;
      }
      case 'disconnect_connection': {
        const client = this.target(backend, requestId, action, params.conn_id as string);
        if (client === undefined) return;
        const reason = truncateUtf8((params.reason as string | undefined) ?? '', 123);
        hub.dropClient(client, (params.code as number | undefined) ?? 1000, reason, 'close');
        return;
      }
      case 'room_members': {
        const roomId = params.room_id as string;
        const members: string[] = [];
        for (const m of hub.rooms.members(roomId) ?? []) {
          members.push(`{"client_id":${JSON.stringify(m.id)},"metadata":${JSON.stringify(m.metadata)}}`);
        }
        backend.send(roomMembersReplyLine(requestId, roomId, members), null);
        return;
      }
    }
  }

  private hello(backend: Backend, requestId: string, params: Record<string, unknown>): void {
    if (this.tokenDigest !== undefined) {
      const token = params.token;
      if (typeof token !== 'string' || !timingSafeEqual(digest(token), this.tokenDigest)) {
        this.hub.logger.warn({ backend: backend.id, remote: backend.remote }, 'backend refused: wrong or missing token');
        backend.send(helloReplyLine(requestId, false, 'invalid token'), null);
        backend.flush();
        this.hub.metrics.backendsDropped += 1;
        // Not in the pool (never authorized); the socket's close removes it from the broker.
        void backend.end(1000);
        return;
      }
    }
    backend.saidHello = true;
    backend.authorized = true;
    backend.name = params.name as string;
    backend.send(helloReplyLine(requestId, true), null);
    this.hub.backendReady(backend);
  }

  /** A client a room or disconnect action names; a missing one gets `not_found` (not an error for the broker). */
  private target(backend: Backend, requestId: string, action: string, clientId: string) {
    const client = this.hub.clients.get(clientId);
    if (client === undefined) {
      this.refuse(backend, new FrameRefusal('not_found', `no connection "${clientId}"`, requestId, action), false, 'debug');
    }
    return client;
  }

  private checkRanges({ action, params, requestId }: Envelope): FrameRefusal | undefined {
    if (action === 'response' && params.status !== undefined && params.status !== null) {
      const status = params.status as number;
      if (status < 400 || status > 599) {
        return new FrameRefusal('invalid_params', 'invalid params for "response": params.status must be 400-599', requestId, action);
      }
    }
    if (action === 'disconnect_connection' && params.code !== undefined && params.code !== null) {
      const code = params.code as number;
      if (code !== 1000 && (code < 3000 || code > 4999)) {
        return new FrameRefusal('invalid_params', 'invalid params for "disconnect_connection": params.code must be 1000 or 3000-4999', requestId, action);
      }
    }
    return undefined;
  }

  /** Error reply where the backend said hello (or was refused for lack of it); a log line otherwise. */
  private refuse(backend: Backend, refusal: FrameRefusal, alwaysReply = false, level: 'warn' | 'debug' = 'warn'): void {
    this.hub.metrics.backendFrameErrors += 1;
    if (backend.saidHello || alwaysReply) {
      backend.send(errorReplyLine(refusal.requestId, refusal.code, refusal.message, refusal.action), null);
    }
    if (level === 'debug' || refusal.code === 'unknown_action') {
      this.hub.logger.debug({ backend: backend.id, code: refusal.code, action: refusal.action }, refusal.message);
      return;
    }
    this.refusalLog.hit((suppressed) => {
      this.hub.logger.warn(
        { backend: backend.id, code: refusal.code, action: refusal.action, requestId: refusal.requestId, suppressed },
        `backend frame refused: ${refusal.message}`,
      );
    });
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character (close reasons are limited to 123). */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > max) break;
    out += ch;
    bytes += size;
  }
  return out;
}

// Acts on each frame a backend sends: checks it, hands commands to the routing core, answers errors.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FrameError } from '@strands/protocol';
import type { BrokerContext } from '../core/context.js';
import { RoutingCore, whenReady } from '../core/routing.js';
import { RateLimitedLog } from '../logger.js';
import type { BackendConnection } from './backend-connection.js';
import { errorReplyLine, helloReplyLine, roomMembersReplyLine } from './backend-frames.js';
import type { BackendRegistry } from './backend-registry.js';
import type { BackendDecider } from './connection-decisions.js';
import { checkParams, FrameRefusal, readEnvelope, type Envelope, type ParamSpec } from './frame-check.js';

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
    private readonly ctx: BrokerContext,
    private readonly routing: RoutingCore,
    private readonly decider: BackendDecider,
    private readonly backends: BackendRegistry,
    /** Capabilities beyond the broker's own, e.g. `cluster`. */
    private readonly extraCapabilities: readonly string[] = [],
  ) {
    const token = ctx.options.backendToken;
    this.tokenDigest = token === undefined ? undefined : digest(token);
  }

  /** Handles one line from a backend. Never throws: a bad frame hurts nobody but its sender. */
  line(backend: BackendConnection, line: string): void {
    this.ctx.metrics.backendFramesIn += 1;
    const envelope = readEnvelope(line);
    if (envelope instanceof FrameRefusal) return this.refuse(backend, envelope);
    // Own keys only: an action named `toString` or `__proto__` must not read the prototype.
    const spec = Object.hasOwn(SPECS, envelope.action) ? SPECS[envelope.action] : undefined;
    if (spec === undefined) {
      return this.refuse(backend, new FrameRefusal('unknown_action', `unknown action "${envelope.action}"`, envelope.requestId, envelope.action));
    }
    if (!backend.authorized && envelope.action !== 'hello') {
      return this.refuse(backend, new FrameRefusal('unauthorized', 'say hello with the broker token first', envelope.requestId, envelope.action), true);
    }
    const refusal = checkParams(envelope, spec) ?? this.checkRanges(envelope);
    if (refusal !== undefined) {
      if (envelope.action === 'response') this.decider.invalid(backend, envelope.requestId, refusal.message);
      return this.refuse(backend, refusal);
    }
    this.act(backend, envelope);
  }

  /** A line over the maximum length was skipped. */
  oversize(backend: BackendConnection, error: FrameError): void {
    this.refuse(backend, new FrameRefusal('frame_too_large', error.message, '', undefined));
  }

  private act(backend: BackendConnection, { action, requestId, params }: Envelope): void {
    const routing = this.routing;
    switch (action) {
      case 'message_to_room':
        return routing.toRoom(params.room_id as string, params.message as string);
      case 'message_to_connection':
        return routing.toConnection(params.conn_id as string, params.message as string);
      case 'broadcast':
        return routing.broadcast(params.message as string);
      case 'response':
        return this.decider.respond(backend, requestId, params);
      case 'hello':
        return this.hello(backend, requestId, params);
      case 'join_room':
      case 'leave_room': {
        const clientId = params.conn_id as string;
        const roomId = params.room_id as string;
        const done = action === 'join_room' ? routing.join(clientId, roomId) : routing.leave(clientId, roomId);
        return this.reportMissing(backend, requestId, action, clientId, done);
      }
      case 'disconnect_connection': {
        const clientId = params.conn_id as string;
        const done = routing.disconnect(clientId, params.code as number | undefined, params.reason as string | undefined);
        return this.reportMissing(backend, requestId, action, clientId, done);
      }
      case 'room_members': {
        const roomId = params.room_id as string;
        return whenReady(
          routing.members(roomId),
          (members) => {
            const json = members.map((m) => `{"client_id":${JSON.stringify(m.clientId)},"metadata":${JSON.stringify(m.metadata)}}`);
            backend.send(roomMembersReplyLine(requestId, roomId, json));
          },
          (error) => this.failed(backend, requestId, action, error),
        );
      }
    }
  }

  /** A client a room or disconnect action names and no broker holds gets `not_found` (not an error for the broker). */
  private reportMissing(backend: BackendConnection, requestId: string, action: string, clientId: string, done: boolean | Promise<boolean>): void {
    whenReady(
      done,
      (found) => {
        if (!found) this.refuse(backend, new FrameRefusal('not_found', `no connection "${clientId}"`, requestId, action), false, 'debug');
      },
      (error) => this.failed(backend, requestId, action, error),
    );
  }

  /** A command the backplane could not carry out (a cluster link failed). */
  private failed(backend: BackendConnection, requestId: string, action: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.refuse(backend, new FrameRefusal('unavailable', `could not carry out "${action}": ${message}`, requestId, action));
  }

  private hello(backend: BackendConnection, requestId: string, params: Record<string, unknown>): void {
    if (this.tokenDigest !== undefined) {
      const token = params.token;
      if (typeof token !== 'string' || !timingSafeEqual(digest(token), this.tokenDigest)) {
        this.ctx.logger.warn({ backend: backend.id, remote: backend.remote }, 'backend refused: wrong or missing token');
        backend.send(helloReplyLine(requestId, false, 'invalid token'));
        backend.flush();
        this.ctx.metrics.backendsDropped += 1;
        // Not in the pool (never authorized); the socket's close removes it from the broker.
        void backend.end(1000);
        return;
      }
    }
    backend.saidHello = true;
    backend.verify();
    backend.name = params.name as string;
    backend.send(helloReplyLine(requestId, true, undefined, this.extraCapabilities));
    this.backends.ready(backend);
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
  private refuse(backend: BackendConnection, refusal: FrameRefusal, alwaysReply = false, level: 'warn' | 'debug' = 'warn'): void {
    this.ctx.metrics.backendFrameErrors += 1;
    if (backend.saidHello || alwaysReply) {
      backend.send(errorReplyLine(refusal.requestId, refusal.code, refusal.message, refusal.action));
    }
    if (level === 'debug' || refusal.code === 'unknown_action') {
      this.ctx.logger.debug({ backend: backend.id, code: refusal.code, action: refusal.action }, refusal.message);
      return;
    }
    this.refusalLog.hit((suppressed) => {
      this.ctx.logger.warn(
        { backend: backend.id, code: refusal.code, action: refusal.action, requestId: refusal.requestId, suppressed },
        `backend frame refused: ${refusal.message}`,
      );
    });
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

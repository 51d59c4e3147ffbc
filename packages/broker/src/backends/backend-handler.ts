// Acts on each frame a backend sends: checks it, hands commands to the routing core, answers errors.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorReplyCode, FrameError } from '@strands/protocol';
import {
  ACK_CAPABILITY,
  Failure,
  checkBackendParams,
  isBackendAction,
  parseRawFrame,
  readAckFrame,
  readMessageFrame,
  roomMemberJson,
  type BackendFrame,
} from '@strands/protocol/wire';
import type { BrokerContext } from '../core/context.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../core/json-depth.js';
import { RoutingCore, whenReady } from '../core/routing.js';
import { RateLimitedLog } from '../logger.js';
import type { BackendConnection } from './backend-connection.js';
import { errorReplyLine, helloReplyLine, roomMembersReplyLine } from './backend-frames.js';
import type { BackendRegistry } from './backend-registry.js';
import { historyCommand } from './history-commands.js';
import type { BackendDecider } from './connection-decisions.js';

/** A frame refused, with what the error reply says ('' where its request_id could not be read). */
interface FrameRefusal {
  readonly code: ErrorReplyCode;
  readonly message: string;
  readonly requestId: string | undefined;
  readonly action: string | undefined;
}

const refusal = (code: ErrorReplyCode, message: string, requestId: string | undefined, action: string | undefined): FrameRefusal => ({
  code,
  message,
  requestId,
  action,
});

/**
 * The one value of a backend frame the broker keeps and encodes again later (a client's
 * `metadata`, in every context and member list): refused when it nests too deep to encode.
 */
function tooDeep(frame: BackendFrame): FrameRefusal | undefined {
  if (frame.action !== 'response' || !nestsDeeperThan(frame.params.metadata, MAX_JSON_DEPTH)) return undefined;
  return refusal('invalid_params', `invalid params for "response": params.metadata nests deeper than ${MAX_JSON_DEPTH} levels`, frame.request_id, frame.action);
}

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
    // The frames sent once per message or per write, as the encoders write them, are read without
    // a JSON parse of the frame (a valid frame of a known action: only `unauthorized` can still refuse it).
    const fast = readMessageFrame(line) ?? readAckFrame(line);
    if (fast !== undefined) {
      if (backend.authorized) return this.act(backend, fast);
      return this.refuse(backend, refusal('unauthorized', 'say hello with the broker token first', fast.request_id, fast.action), true);
    }
    // The protocol's checker, held to its zod schemas by a property test; in three steps so that an
    // unknown action is told before `unauthorized`, and that before wrong params, as always.
    const raw = parseRawFrame(line);
    if (raw instanceof Failure) return this.refuse(backend, raw.refusal);
    const { action, request_id: requestId } = raw;
    if (!isBackendAction(action)) return this.refuse(backend, refusal('unknown_action', `unknown action "${action}"`, requestId, action));
    if (!backend.authorized && action !== 'hello') {
      return this.refuse(backend, refusal('unauthorized', 'say hello with the broker token first', requestId, action), true);
    }
    const checked = checkBackendParams(raw);
    if (!checked.ok) return this.invalid(backend, checked.refusal);
    const deep = tooDeep(checked.frame);
    if (deep !== undefined) return this.invalid(backend, deep);
    this.act(backend, checked.frame);
  }

  /** Wrong params: refused; a `response` also ends the upgrade it answers (502). */
  private invalid(backend: BackendConnection, why: FrameRefusal): void {
    if (why.action === 'response' && why.requestId !== undefined) this.decider.invalid(backend, why.requestId, why.message);
    this.refuse(backend, why);
  }

  /** A line over the maximum length was skipped. */
  oversize(backend: BackendConnection, error: FrameError): void {
    this.refuse(backend, refusal('frame_too_large', error.message, undefined, undefined));
  }

  private act(backend: BackendConnection, frame: BackendFrame): void {
    // A first valid frame proves a backend without a token ready for work (`hello()` does it for a hello, token checked).
    if (!backend.proven && frame.action !== 'hello') this.backends.ready(backend);
    const routing = this.routing;
    const requestId = frame.request_id;
    switch (frame.action) {
      case 'message_to_room':
      case 'message_to_connection':
      case 'broadcast': {
        const { message, encoding } = frame.params;
        // Bytes as base64, for clients to get as a binary frame; a bad one would reach them corrupted.
        const binary = encoding === 'base64';
        if (binary && !isBase64(message)) {
          return this.invalid(backend, refusal('invalid_params', `invalid params for "${frame.action}": params.message must be base64 with encoding "base64"`, requestId, frame.action));
        }
        if (frame.action === 'message_to_room') return routing.toRoom(frame.params.room_id, message, binary);
        if (frame.action === 'message_to_connection') return routing.toConnection(frame.params.conn_id, message, binary);
        return routing.broadcast(message, binary);
      }
      case 'response':
        return this.decider.respond(backend, requestId, frame.params);
      case 'hello':
        return this.hello(backend, requestId, frame.params.name, frame.params.token, frame.params.capabilities);
      case 'ack':
        return this.backends.acknowledged(backend, frame.params.ids);
      case 'join_room':
      case 'leave_room': {
        const { conn_id: clientId, room_id: roomId } = frame.params;
        const done = frame.action === 'join_room' ? routing.join(clientId, roomId) : routing.leave(clientId, roomId);
        return this.reportMissing(backend, requestId, frame.action, clientId, done);
      }
      case 'disconnect_connection': {
        const { conn_id: clientId, code, reason } = frame.params;
        return this.reportMissing(backend, requestId, frame.action, clientId, routing.disconnect(clientId, code, reason));
      }
      case 'room_history':
      case 'set_room_history':
        return historyCommand(routing.history, frame, {
          send: (line) => backend.send(line),
          refuse: (code, message) => this.refuse(backend, refusal(code, message, requestId, frame.action)),
        });
      case 'room_members': {
        const roomId = frame.params.room_id;
        return whenReady(
          routing.members(roomId),
          (members) => {
            const json = members.map((m) => roomMemberJson(m.clientId, m.metadata));
            backend.send(roomMembersReplyLine(requestId, roomId, json));
          },
          (error) => this.failed(backend, requestId, frame.action, error),
        );
      }
    }
  }

  /** A client a room or disconnect action names and no broker holds gets `not_found` (not an error for the broker). */
  private reportMissing(backend: BackendConnection, requestId: string, action: string, clientId: string, done: boolean | Promise<boolean>): void {
    whenReady(
      done,
      (found) => {
        if (!found) this.refuse(backend, refusal('not_found', `no connection "${clientId}"`, requestId, action), false, 'debug');
      },
      (error) => this.failed(backend, requestId, action, error),
    );
  }

  /** A command the backplane could not carry out (a cluster link failed). */
  private failed(backend: BackendConnection, requestId: string, action: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.refuse(backend, refusal('unavailable', `could not carry out "${action}": ${message}`, requestId, action));
  }

  private hello(backend: BackendConnection, requestId: string, name: string, token: string | undefined, capabilities: readonly string[] | undefined): void {
    if (this.tokenDigest !== undefined) {
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
    backend.name = name;
    // From now on its events carry ids and are kept until it acknowledges them (those sent before stay counted by writes).
    if (capabilities?.includes(ACK_CAPABILITY) === true) backend.acks = true;
    backend.send(helloReplyLine(requestId, true, undefined, this.extraCapabilities));
    this.backends.ready(backend);
  }

  /** Error reply where the backend said hello (or was refused for lack of it); a log line otherwise. */
  private refuse(backend: BackendConnection, refusal: FrameRefusal, alwaysReply = false, level: 'warn' | 'debug' = 'warn'): void {
    this.ctx.metrics.backendFrameErrors += 1;
    if (backend.saidHello || alwaysReply) {
      backend.send(errorReplyLine(refusal.requestId ?? '', refusal.code, refusal.message, refusal.action));
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

/** Canonical base64 (`A-Z a-z 0-9 + /`, `=` padding, length a multiple of 4); Node's decoder would take anything. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

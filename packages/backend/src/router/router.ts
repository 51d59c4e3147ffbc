// The reactive-route router: request-response, fire-and-forget and request-stream over client
// messages, typed and validated by a shared contract.
import type {
  Contract,
  EnvelopeParseResult,
  EventInput,
  EventName,
  FireEnvelope,
  FireRouteName,
  RequestEnvelope,
  ResponseRouteName,
  RouteDefinition,
  RouteErrorCode,
  StreamEnvelope,
  StreamRouteName,
} from '@strands/protocol';
import { issuesText, SchemaIssues, validate } from '@strands/protocol';
import type { ClientContext } from '../client.js';
import { BackendError, HandlerError, isBackendError, isRouteError } from '../errors.js';
import { errorEnvelope, eventEnvelope, responseEnvelope } from './envelopes.js';
import { StreamSession } from './stream-session.js';
import type { FireHandler, ResponseHandler, RouteContext, StreamHandler } from './types.js';

/** What a router needs from the backend serving it. */
export interface RouterHost {
  send(clientId: string, text: string): Promise<void>;
  sendToRoom(roomId: string, text: string): Promise<void>;
  /** Runs `task` in the client's lane (after its earlier events). */
  schedule(clientId: string, task: () => unknown): void;
  report(error: Error): void;
  /** A response or fire handler is abandoned after this long (`timeout` to the client), in ms. */
  readonly routeTimeoutMs: number;
  /** Streams one client may have open; more are refused with STREAM_LIMIT_CODE. */
  readonly maxStreamsPerClient: number;
}

/** The face a router shows to the backend. */
export interface RouterLike {
  attach(host: RouterHost): void;
  receive(parsed: Exclude<EnvelopeParseResult, { kind: 'none' }>, client: ClientContext): void;
  /** The client left: cancel its streams and abort its handlers' signals. */
  clientGone(clientId: string): void;
  /** The backend closes: end every stream. */
  closeAll(): void;
}

type AnyHandler = (input: unknown, context: RouteContext) => unknown;
const noop = (): void => {};
const TIMED_OUT: unique symbol = Symbol('route handler timed out');
/** The code of the error envelope refusing a stream past `maxStreamsPerClient`. */
export const STREAM_LIMIT_CODE = 'limit_exceeded' satisfies RouteErrorCode;

export class Router<C extends Contract = Contract> implements RouterLike {
  private readonly handlers = new Map<string, AnyHandler>();
  private readonly sessions = new Map<string, Map<string, StreamSession>>();
  private readonly clientAborts = new Map<string, AbortController>();
  private host: RouterHost | undefined;

  constructor(readonly contract: C) {}

  /** Serves request-response route `name`; the handler's return value is validated and sent back. */
  response<K extends ResponseRouteName<C>>(name: K, handler: ResponseHandler<C, K>): this {
    return this.add(name, 'response', handler as AnyHandler);
  }

  /** Serves stream route `name`; the handler's items are pulled only while the client has credits. */
  stream<K extends StreamRouteName<C>>(name: K, handler: StreamHandler<C, K>): this {
    return this.add(name, 'stream', handler as AnyHandler);
  }

  /** Serves fire-and-forget route `name`. */
  fire<K extends FireRouteName<C>>(name: K, handler: FireHandler<C, K>): this {
    return this.add(name, 'fire', handler as AnyHandler);
  }

  /**
   * Pushes contract event `event` to every client in `roomId`, once `data` passed the event's schema
   * (a refusal rejects with `invalid_event` and sends nothing). Resolves like `sendToRoom`.
   * @example
   * await router.sendEvent('lobby', 'chat.message', { from: 'ada', text: 'hi' });
   */
  sendEvent<K extends EventName<C>>(roomId: string, event: K, data: EventInput<C, K>): Promise<void> {
    return this.event(event, data, (text, host) => host.sendToRoom(roomId, text));
  }

  /** Pushes contract event `event` to one connection; otherwise like {@link sendEvent}. */
  sendEventToConnection<K extends EventName<C>>(clientId: string, event: K, data: EventInput<C, K>): Promise<void> {
    return this.event(event, data, (text, host) => host.send(clientId, text));
  }

  /** Streams open now, across clients. */
  get openStreams(): number {
    let count = 0;
    for (const streams of this.sessions.values()) count += streams.size;
    return count;
  }

  attach(host: RouterHost): void {
    if (this.host !== undefined) throw new Error('this router already serves a backend');
    this.host = host;
  }

  receive(parsed: Exclude<EnvelopeParseResult, { kind: 'none' }>, client: ClientContext): void {
    const host = this.host;
    if (host === undefined) return;
    if (parsed.kind === 'invalid') {
      if (parsed.id !== undefined) this.reply(client, errorEnvelope(parsed.id, 'invalid_input', `invalid envelope: ${parsed.message}`));
      return;
    }
    const envelope = parsed.envelope;
    switch (envelope.strands) {
      case 'request':
      case 'fire':
      case 'stream': {
        const checked = this.check(envelope.route, envelope.strands === 'request' ? 'response' : envelope.strands);
        if (!checked.ok) {
          if (envelope.strands !== 'fire') this.reply(client, errorEnvelope(envelope.id, 'unknown_route', checked.message));
          return;
        }
        if (envelope.strands === 'stream') this.open(envelope, checked.def, client);
        else host.schedule(client.clientId, () => this.call(envelope, checked.def, client));
        return;
      }
      case 'request_n':
        this.sessions.get(client.clientId)?.get(envelope.id)?.grant(envelope.n);
        return;
      case 'cancel':
        this.sessions.get(client.clientId)?.get(envelope.id)?.cancel('cancelled');
        return;
      default:
      // Replies travel backend -> client; one arriving here is not ours to handle.
    }
  }

  clientGone(clientId: string): void {
    const streams = this.sessions.get(clientId);
    if (streams !== undefined) for (const session of [...streams.values()]) session.cancel('disconnected');
    this.clientAborts.get(clientId)?.abort('disconnected');
    this.clientAborts.delete(clientId);
  }

  closeAll(): void {
    for (const [clientId, streams] of [...this.sessions]) {
      for (const session of [...streams.values()]) {
        session.cancel('closing');
        this.host?.send(clientId, errorEnvelope(session.id, 'cancelled', 'the backend is closing')).catch(noop);
      }
    }
    for (const controller of this.clientAborts.values()) controller.abort('closing');
    this.clientAborts.clear();
  }

  private async event(event: string, data: unknown, send: (text: string, host: RouterHost) => Promise<void>): Promise<void> {
    const schema = Object.hasOwn(this.contract.events ?? {}, event) ? this.contract.events[event] : undefined;
    if (schema === undefined) throw new BackendError('invalid_event', `event "${event}" is not in the contract`);
    const host = this.host;
    if (host === undefined) throw new BackendError('closed', 'this router serves no backend yet (backend.use(router))');
    const checked = await validate(schema, data);
    if (checked.issues !== undefined) {
      throw new BackendError('invalid_event', `event "${event}": ${issuesText(checked.issues, '(data)', 3)}`, { cause: new SchemaIssues(checked.issues) });
    }
    // The data as given, like responses: the client's schema parses it (transforms run there).
    await send(eventEnvelope(event, data), host);
  }

  private add(name: string, kind: RouteDefinition['kind'], handler: AnyHandler): this {
    const def = this.contract.routes[name];
    if (def === undefined) throw new BackendError('invalid_route', `route "${name}" is not in the contract`);
    if (def.kind !== kind) throw new BackendError('invalid_route', `route "${name}" is a ${def.kind} route, not a ${kind} route`);
    this.handlers.set(name, handler);
    return this;
  }

  private check(route: string, kind: RouteDefinition['kind']): { ok: true; def: RouteDefinition } | { ok: false; message: string } {
    const def = this.contract.routes[route];
    if (def === undefined || !this.handlers.has(route)) return { ok: false, message: `no route "${route}"` };
    if (def.kind !== kind) return { ok: false, message: `route "${route}" is a ${def.kind} route` };
    return { ok: true, def };
  }

  private async call(envelope: RequestEnvelope | FireEnvelope, def: RouteDefinition, client: ClientContext): Promise<void> {
    const host = this.host;
    if (host === undefined) return;
    const handler = this.handlers.get(envelope.route)!;
    const id = envelope.strands === 'request' ? envelope.id : undefined;
    // Validated in the client's lane (a schema may be async), so replies still leave in order.
    const parsed = await validate(def.input, envelope.data);
    if (parsed.issues !== undefined) {
      if (id !== undefined) await host.send(client.clientId, errorEnvelope(id, 'invalid_input', issuesText(parsed.issues, '(input)', 3))).catch(noop);
      return;
    }
    const input = parsed.value;
    // The call's own signal: aborted when the client leaves or the backend closes, or on timeout.
    const clientSignal = this.clientSignal(client.clientId);
    const controller = new AbortController();
    const follow = (): void => controller.abort(clientSignal.reason);
    if (clientSignal.aborted) follow();
    else clientSignal.addEventListener('abort', follow, { once: true });
    const context: RouteContext = { client, route: envelope.route, signal: controller.signal };
    let timer: NodeJS.Timeout | undefined;
    let reply: string | undefined;
    try {
      // The race frees the client's lane after routeTimeoutMs even if the handler never settles.
      const output = await Promise.race([
        Promise.resolve().then(() => handler(input, context)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(TIMED_OUT), host.routeTimeoutMs);
        }),
      ]);
      if (id !== undefined && def.kind === 'response') {
        const checked = await validate(def.output, output);
        if (checked.issues === undefined) {
          reply = responseEnvelope(id, output);
        } else {
          this.fail(client, new SchemaIssues(checked.issues), envelope.route);
          reply = errorEnvelope(id, 'invalid_output', 'the handler returned an invalid output');
        }
      }
    } catch (cause) {
      if (cause === TIMED_OUT) {
        controller.abort('timeout');
        this.fail(client, undefined, envelope.route, 'handler_timeout');
        if (id !== undefined) reply = errorEnvelope(id, 'timeout', `route "${envelope.route}" took longer than ${host.routeTimeoutMs} ms`);
      } else if (isRouteError(cause)) {
        if (id !== undefined) reply = errorEnvelope(id, cause.code, cause.message);
      } else {
        this.fail(client, cause, envelope.route);
        if (id !== undefined) reply = errorEnvelope(id, 'handler_error', 'internal error');
      }
    } finally {
      clearTimeout(timer);
      clientSignal.removeEventListener('abort', follow);
    }
    // Awaited in the client's lane, so replies leave in order; a reply that cannot go out is reported.
    if (reply !== undefined) await host.send(client.clientId, reply).catch((error: Error) => host.report(error));
  }

  private open(envelope: StreamEnvelope, def: RouteDefinition, client: ClientContext): void {
    if (def.kind !== 'stream') return;
    let streams = this.sessions.get(client.clientId);
    if (streams?.has(envelope.id)) return; // a duplicate id; the open stream keeps it
    if (streams !== undefined && streams.size >= (this.host?.maxStreamsPerClient ?? Infinity)) {
      const limit = streams.size;
      this.reply(client, errorEnvelope(envelope.id, STREAM_LIMIT_CODE, `too many open streams (at most ${limit} per client)`));
      return;
    }
    if (streams === undefined) {
      streams = new Map();
      this.sessions.set(client.clientId, streams);
    }
    const clientStreams = streams;
    const session = new StreamSession(envelope.id, envelope.n, {
      send: (text) => this.host?.send(client.clientId, text) ?? Promise.resolve(),
      failed: (cause) => this.fail(client, cause, envelope.route),
      ended: (ended) => {
        clientStreams.delete(ended.id);
        if (clientStreams.size === 0 && this.sessions.get(client.clientId) === clientStreams) this.sessions.delete(client.clientId);
      },
    });
    clientStreams.set(envelope.id, session);
    const handler = this.handlers.get(envelope.route)!;
    // Started in the client's lane so that it follows the client's earlier events; it then runs on its own.
    this.host?.schedule(client.clientId, async () => {
      if (session.controller.signal.aborted) return;
      const parsed = await validate(def.input, envelope.data);
      if (parsed.issues !== undefined) {
        if (session.controller.signal.aborted) return;
        session.cancel('invalid_input');
        this.reply(client, errorEnvelope(envelope.id, 'invalid_input', issuesText(parsed.issues, '(input)', 3)));
        return;
      }
      if (session.controller.signal.aborted) return;
      const input = parsed.value;
      const context: RouteContext = { client, route: envelope.route, signal: session.controller.signal };
      let items: AsyncIterable<unknown>;
      try {
        items = handler(input, context) as AsyncIterable<unknown>;
      } catch (cause) {
        items = failing(cause);
      }
      void session.run(items, def.item);
    });
  }

  private clientSignal(clientId: string): AbortSignal {
    let controller = this.clientAborts.get(clientId);
    if (controller === undefined) {
      controller = new AbortController();
      this.clientAborts.set(clientId, controller);
    }
    return controller.signal;
  }

  private reply(client: ClientContext, text: string): void {
    this.host?.send(client.clientId, text).catch(noop);
  }

  private fail(client: ClientContext, cause: unknown, route: string, code: 'handler_error' | 'handler_timeout' = 'handler_error'): void {
    // A reply that could not be sent is no handler failure: report the SendError itself.
    if (isBackendError(cause) && cause.name === 'SendError') {
      this.host?.report(cause);
      return;
    }
    const error = new HandlerError(code, 'route', client.clientId, cause === undefined ? undefined : { cause });
    error.message = `route "${route}": ${error.message}`;
    this.host?.report(error);
  }
}

async function* failing(cause: unknown): AsyncGenerator<never> {
  throw cause;
}

/**
 * Creates a router for `contract`; serve it with `backend.use(router)`.
 * @example
 * const router = createRouter(chat)
 *   .response('chat.send', async ({ text }, { client }) => ({ id: await save(client.clientId, text) }))
 *   .stream('chat.feed', async function* ({ room }, { signal }) { for await (const m of feed(room, signal)) yield m; });
 */
export function createRouter<C extends Contract>(contract: C): Router<C> {
  return new Router(contract);
}

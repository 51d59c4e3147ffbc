// StrandsBackend: the event API. Override the `handle*` hooks in a subclass, or register handlers
// with `on*`; both run on one core. Also the event streams and the reactive-route router hook-up.
import type { BrokerFrame } from '@strands/protocol';
import { checkEnvelope } from '@strands/protocol/wire';
import type { BrokerLink } from './broker-link.js';
import type { NewMessageView } from '@strands/protocol/wire';
import { FIRST_DELIVERY, IncomingMessage, toClientContext, type ArrivedAs, type ClientContext, type Disconnection, type EventDelivery, type Replier } from './client.js';
import type { KnownClient } from './context-cache.js';
import { ConnectionRequest, type ConnectionDecision } from './connection-request.js';
import { BackendCore } from './core.js';
import { BrokerError, HandlerError, OptionsError } from './errors.js';
import { BoundedEventStream, type EventStream } from './event-stream.js';
import type { RouterHost, RouterLike } from './router/router.js';
import { Acknowledgements } from './acknowledgements.js';
import { responseLine } from './wire.js';

type MaybePromise<T> = T | Promise<T>;
const NO_DELIVERY_PARAMS = Object.freeze({});
export type ConnectionRequestHandler = (request: ConnectionRequest) => MaybePromise<ConnectionDecision>;
/** How a `new_connection` event arrived (its id, whether it is a redelivery), and whether the client resumed a session. */
export interface ConnectEvent extends EventDelivery {
  /** True when the client came back with a valid resume token: same client id, its rooms kept. It may still be refused. */
  readonly resumed: boolean;
}
const FIRST_CONNECT: ConnectEvent = Object.freeze({ ...FIRST_DELIVERY, resumed: false });
export type ConnectHandler = (client: ClientContext, event: ConnectEvent) => unknown;
export type MessageHandler = (message: IncomingMessage) => unknown;
export type DisconnectHandler = (event: Disconnection) => unknown;
export type ErrorHandler = (error: Error) => unknown;
/** A broker link came up or went down. */
export interface BrokerEvent {
  readonly broker: string;
  /** Why the link went down, where known. */
  readonly error?: Error | undefined;
}
export type BrokerEventHandler = (event: BrokerEvent) => void;

/**
 * A backend serving one or more brokers.
 * @example
 * const app = new StrandsBackend({ brokers: ['127.0.0.1:8081'] });
 * app.onMessage((m) => m.reply(`echo: ${m.message}`));
 * await app.start();
 */
export class StrandsBackend extends BackendCore implements Replier {
  private requestHandler: ConnectionRequestHandler | undefined;
  private readonly connectHandlers: ConnectHandler[] = [];
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly disconnectHandlers: DisconnectHandler[] = [];
  private readonly errorHandlers: ErrorHandler[] = [];
  private readonly brokerConnectHandlers: BrokerEventHandler[] = [];
  private readonly brokerDisconnectHandlers: BrokerEventHandler[] = [];
  private readonly messageStreams = new Set<BoundedEventStream<IncomingMessage>>();
  private readonly connectionStreams = new Set<BoundedEventStream<ClientContext>>();
  private readonly disconnectionStreams = new Set<BoundedEventStream<Disconnection>>();
  private router: RouterLike | undefined;
  /** Acknowledges handled events and skips repeats (`dedupeWindow`). */
  private readonly acks = new Acknowledgements(this.options.dedupeWindow, this.log);

  // Hooks: override in a subclass; the defaults run the registered handlers.

  /** Decides whether a client may connect; may set its id, room and metadata. Accepts by default. */
  protected handleConnectionRequest(request: ConnectionRequest): MaybePromise<ConnectionDecision> {
    return this.requestHandler === undefined ? true : this.requestHandler(request);
  }

  /** A client was accepted and is connected. */
  protected handleConnect(client: ClientContext, event: ConnectEvent = FIRST_CONNECT): unknown {
    return runAll(this.connectHandlers, client, event);
  }

  /** A client sent a message (reactive-route envelopes go to the router instead). */
  protected handleMessage(message: IncomingMessage): unknown {
    return runAll(this.messageHandlers, message);
  }

  /** A client's socket closed. */
  protected handleDisconnect(event: Disconnection): unknown {
    return runAll(this.disconnectHandlers, event);
  }

  /** A handler failed, or a broker refused something. Already logged. */
  protected handleError(error: Error): unknown {
    return runAll(this.errorHandlers, error);
  }

  // Registration style. Each returns a function that removes the handler.

  /** Sets the connection-request handler (one at a time; a later call replaces it). */
  onConnectionRequest(handler: ConnectionRequestHandler): () => void {
    this.requestHandler = handler;
    return () => {
      if (this.requestHandler === handler) this.requestHandler = undefined;
    };
  }

  /** Adds a handler for accepted clients. */
  onConnect(handler: ConnectHandler): () => void {
    return register(this.connectHandlers, handler);
  }

  /** Adds a message handler; several run one after another, in registration order. */
  onMessage(handler: MessageHandler): () => void {
    return register(this.messageHandlers, handler);
  }

  /** Adds a disconnect handler. */
  onDisconnect(handler: DisconnectHandler): () => void {
    return register(this.disconnectHandlers, handler);
  }

  /** Adds an error handler (handler failures, broker refusals). */
  onError(handler: ErrorHandler): () => void {
    return register(this.errorHandlers, handler);
  }

  /** Adds a handler called each time a broker link comes up. */
  onBrokerConnect(handler: BrokerEventHandler): () => void {
    return register(this.brokerConnectHandlers, handler);
  }

  /** Adds a handler called each time a broker link goes down (it reconnects by itself). */
  onBrokerDisconnect(handler: BrokerEventHandler): () => void {
    return register(this.brokerDisconnectHandlers, handler);
  }

  /** Client messages as an async iterable; when it falls `bufferSize` behind, brokers are paused. */
  messages(options: { bufferSize?: number } = {}): EventStream<IncomingMessage> {
    return this.subscribe(this.messageStreams, options.bufferSize);
  }

  /** Accepted clients as an async iterable (bounded like `messages()`). */
  connections(options: { bufferSize?: number } = {}): EventStream<ClientContext> {
    return this.subscribe(this.connectionStreams, options.bufferSize);
  }

  /** Disconnections as an async iterable (bounded like `messages()`). */
  disconnections(options: { bufferSize?: number } = {}): EventStream<Disconnection> {
    return this.subscribe(this.disconnectionStreams, options.bufferSize);
  }

  /** Serves the reactive routes of `router` (one router per backend). */
  use(router: RouterLike): this {
    if (this.router !== undefined) throw new Error('a backend serves one router; define every route on it');
    const host: RouterHost = {
      send: (clientId, text) => this.sendToConnection(clientId, text),
      sendToRoom: (roomId, text) => this.sendToRoom(roomId, text),
      schedule: (clientId, task) => this.scheduler.push(clientId, task),
      report: (error) => this.reportError(error),
      routeTimeoutMs: this.options.routeTimeoutMs,
      maxStreamsPerClient: this.options.maxStreamsPerClient,
    };
    router.attach(host);
    this.router = router;
    return this;
  }

  protected dispatch(link: BrokerLink, frame: BrokerFrame): void {
    switch (frame.action) {
      case 'new_message': {
        const params = frame.params;
        const delivery = this.acks.delivery(link, params);
        if (delivery === undefined) return;
        this.message(link, toClientContext(params.context, link.address), params.message, params.encoding === 'base64', delivery, undefined);
        return;
      }
      case 'connection_request': {
        const request = new ConnectionRequest(frame, link.address);
        const deadline = Date.now() + this.options.connectionRequestTimeoutMs;
        this.decisions.push(() => this.decide(link, request, deadline));
        return;
      }
      case 'new_connection': {
        const delivery = this.acks.delivery(link, frame.params);
        if (delivery === undefined) return;
        const client = toClientContext(frame.params.context, link.address);
        if (this.links.length > 1) this.homes.set(client.clientId, link);
        for (const stream of this.connectionStreams) stream.push(client);
        const { id, redelivered, deliveryCount } = delivery;
        const event: ConnectEvent = { id, redelivered, deliveryCount, resumed: frame.params.resumed === true };
        this.scheduler.push(client.clientId, () => this.acks.settle(link, delivery, this.guard('connect', client.clientId, () => this.handleConnect(client, event))));
        return;
      }
      case 'disconnected': {
        const delivery = this.acks.delivery(link, frame.params);
        if (delivery === undefined) return;
        const client = toClientContext(frame.params.context, link.address);
        const { id, redelivered, deliveryCount } = delivery;
        const event: Disconnection = { client, code: frame.params.code, reason: frame.params.reason, id, redelivered, deliveryCount };
        this.homes.delete(client.clientId);
        // Cancel streams now (producers stop at once) and again in order, for any opened meanwhile.
        this.router?.clientGone(client.clientId);
        for (const stream of this.disconnectionStreams) stream.push(event);
        this.scheduler.push(client.clientId, () => {
          this.router?.clientGone(client.clientId);
          return this.acks.settle(link, delivery, this.guard('disconnect', client.clientId, () => this.handleDisconnect(event)));
        });
        return;
      }
      case 'error': {
        const delivery = this.acks.delivery(link, frame.params);
        if (delivery === undefined) return;
        this.reportError(new BrokerError('broker_error', `broker reported: ${frame.params.error}`, link.address));
        this.acks.handled(link, delivery);
        return;
      }
      default:
        this.log.debug({ broker: link.address, action: frame.action }, 'ignored a frame');
    }
  }

  protected dispatchMessage(link: BrokerLink, view: NewMessageView, known: KnownClient): void {
    const delivery = this.acks.delivery(link, view.eventId === undefined ? NO_DELIVERY_PARAMS : { event_id: view.eventId, redelivered: view.redelivered, delivery_count: view.deliveryCount });
    if (delivery === undefined) return;
    this.message(link, known.client, view.message, view.base64, delivery, view.base64 ? undefined : { clientIdJson: known.clientIdJson, messageJson: view.messageJson });
  }

  /** One client message, however it was read: to the router, the streams and the handlers. */
  private message(link: BrokerLink, client: ClientContext, text: string, base64: boolean, delivery: EventDelivery, arrivedAs: ArrivedAs | undefined): void {
    if (this.links.length > 1 && !this.homes.has(client.clientId)) this.homes.set(client.clientId, link);
    if (this.router !== undefined && !base64) {
      const parsed = checkEnvelope(text);
      if (parsed.kind !== 'none') {
        // Routes run their own work: the event counts as handled once the router took it.
        this.router.receive(parsed, client);
        this.acks.handled(link, delivery);
        return;
      }
    }
    const message = new IncomingMessage(client, text, base64, this, delivery, arrivedAs);
    for (const stream of this.messageStreams) stream.push(message);
    if (this.messageHandlers.length > 0 || this.handleMessage !== StrandsBackend.prototype.handleMessage) {
      this.scheduler.push(client.clientId, () => this.acks.settle(link, delivery, this.guard('message', client.clientId, () => this.handleMessage(message))));
    } else {
      this.acks.handled(link, delivery);
    }
  }

  /** Runs the connection-request hook under a timeout and answers the broker that asked. */
  private async decide(link: BrokerLink, request: ConnectionRequest, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // The time limit counts from arrival: waiting for a free place in the lane uses it up too.
    const timeoutMs = deadline - Date.now();
    let line: string;
    try {
      if (timeoutMs <= 0) throw new HandlerError('handler_timeout', 'connection_request', undefined);
      const decision = await Promise.race([
        Promise.resolve().then(() => this.handleConnectionRequest(request)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new HandlerError('handler_timeout', 'connection_request', undefined)), timeoutMs);
        }),
      ]);
      const answer = request.answer(decision);
      line = responseLine(request.requestId, answer);
      if (answer.accepted && this.links.length > 1) this.homes.set(answer.clientId, link);
    } catch (cause) {
      const timedOut = cause instanceof HandlerError && cause.code === 'handler_timeout';
      this.reportError(timedOut ? cause : new HandlerError('handler_error', 'connection_request', undefined, { cause }));
      line = responseLine(request.requestId, {
        accepted: false,
        status: timedOut ? 504 : 500,
        reason: timedOut ? 'connection handler timed out' : 'connection handler failed',
      });
    } finally {
      clearTimeout(timer);
    }
    await link.send(line).catch((error: Error) => this.log.warn({ err: error, broker: link.address }, 'could not answer a connection request'));
  }

  protected reportError(error: Error): void {
    const clientId = error instanceof HandlerError ? error.clientId : undefined;
    this.log.error({ err: error, cause: error.cause instanceof Error ? error.cause.message : undefined, clientId }, error.message);
    try {
      const result = this.handleError(error);
      if (result instanceof Promise) result.catch((failure: unknown) => this.log.error({ err: failure }, 'error handler failed'));
    } catch (failure) {
      this.log.error({ err: failure }, 'error handler failed');
    }
  }

  protected brokerConnected(address: string): void {
    for (const handler of this.brokerConnectHandlers) this.callSafely(handler, { broker: address });
  }

  protected brokerDisconnected(address: string, error: Error | undefined): void {
    for (const handler of this.brokerDisconnectHandlers) this.callSafely(handler, { broker: address, error });
  }

  protected beforeClose(): void {
    this.router?.closeAll();
  }

  protected afterClose(): void {
    for (const set of [this.messageStreams, this.connectionStreams, this.disconnectionStreams]) {
      for (const stream of [...set]) stream.end();
    }
  }

  private callSafely(handler: BrokerEventHandler, event: BrokerEvent): void {
    try {
      handler(event);
    } catch (error) {
      this.log.error({ err: error }, 'broker event handler failed');
    }
  }

  private subscribe<T>(set: Set<BoundedEventStream<T>>, bufferSize = this.options.streamBufferSize): EventStream<T> {
    if (!(Number.isInteger(bufferSize) && bufferSize > 0)) throw new OptionsError(`invalid option bufferSize: ${String(bufferSize)} (expected an integer >= 1)`, 'bufferSize');
    const stream = new BoundedEventStream<T>(
      bufferSize,
      (changed) => this.streamFullChanged(changed.full),
      (closed) => set.delete(closed),
    );
    set.add(stream);
    return stream;
  }
}

function register<H>(list: H[], handler: H): () => void {
  list.push(handler);
  return () => {
    const index = list.indexOf(handler);
    if (index !== -1) list.splice(index, 1);
  };
}

/** Runs handlers one after another, awaiting only those that return a promise. */
function runAll<A, B = undefined>(handlers: readonly ((arg: A, extra: B) => unknown)[], arg: A, extra?: B): unknown {
  if (handlers.length === 0) return undefined;
  if (handlers.length === 1) return handlers[0]!(arg, extra as B);
  let index = 0;
  const next = (): unknown => {
    while (index < handlers.length) {
      const result = handlers[index++]!(arg, extra as B);
      if (result instanceof Promise) return result.then(next);
    }
    return undefined;
  };
  return next();
}

/** Creates a backend; call `start()` to connect. */
export function createBackend(options?: ConstructorParameters<typeof StrandsBackend>[0]): StrandsBackend {
  return new StrandsBackend(options);
}

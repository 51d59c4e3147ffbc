// The backend's machinery: broker links, flow control (pausing brokers when work piles up),
// lifecycle, and the sends. The public event API sits on top of it in backend.ts.
import type { BrokerFrame, RoomMember } from '@strands/protocol';
import type { NewMessageView } from '@strands/protocol/wire';
import { BrokerLink, type BrokerLinkStatus, type LinkOwner } from './broker-link.js';
import type { KnownClient } from './context-cache.js';
import { BrokerError, HandlerError, SendError, isBackendError, type HandlerEvent } from './errors.js';
import { createConsoleLogger, type BackendLogger } from './logger.js';
import { resolveOptions, type BackendOptions, type ResolvedOptions } from './options.js';
import { ConnectionLane } from './connection-lane.js';
import { Scheduler } from './scheduler.js';
import { takeReturnedSend } from './send-ticket.js';
import * as wire from './wire.js';
import { readRoomHistory, setRoomHistoryFrame, type RoomHistoryOptions, type RoomHistoryPage } from './room-history.js';

/** Where the backend as a whole stands. */
export type BackendStatus = 'idle' | 'running' | 'closing' | 'closed';

/** One broker as `state` reports it. */
export interface BrokerState {
  readonly address: string;
  readonly status: BrokerLinkStatus;
  /** Failed attempts since the last successful connection. */
  readonly reconnectAttempts: number;
  /** Sends waiting for this broker. */
  readonly heldSends: number;
  readonly lastError: Error | undefined;
}

const noop = (): void => {};

export abstract class BackendCore implements LinkOwner {
  protected readonly options: ResolvedOptions;
  protected readonly log: BackendLogger;
  protected readonly links: BrokerLink[];
  protected readonly scheduler: Scheduler;
  /** Connection-request handlers, apart from client events (`maxConcurrentConnectionRequests`). */
  protected readonly decisions: ConnectionLane;
  /** Which broker each client is connected through; kept only when serving several brokers. */
  protected readonly homes = new Map<string, BrokerLink>();
  protected status: BackendStatus = 'idle';
  private paused = false;
  private fullStreams = 0;
  private closing: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private readonly connectWaiters = new Map<BrokerLink, { resolve: () => void; reject: (error: Error) => void }>();

  constructor(options: BackendOptions = {}) {
    this.options = resolveOptions(options);
    this.log = this.options.logger ?? createConsoleLogger(this.options.logLevel);
    this.links = this.options.brokers.map((broker) => new BrokerLink(broker, this.options, this, this.log));
    this.scheduler = new Scheduler(
      this.options.maxConcurrency,
      (error) => this.reportError(new HandlerError('handler_error', 'message', undefined, { cause: error })),
      () => this.updateFlow(),
    );
    this.decisions = new ConnectionLane(this.options.maxConcurrentConnectionRequests);
  }

  /** Where the backend and each broker stand. */
  get state(): { status: BackendStatus; brokers: BrokerState[] } {
    return {
      status: this.status,
      brokers: this.links.map((link) => ({
        address: link.address,
        status: link.status,
        reconnectAttempts: link.reconnectAttempts,
        heldSends: link.heldSends,
        lastError: link.lastError,
      })),
    };
  }

  /** Addresses of the brokers connected now. */
  get connectedBrokers(): string[] {
    return this.links.filter((link) => link.status === 'connected').map((link) => link.address);
  }

  /**
   * Connects to every broker. Resolves once each has connected once (sends made before are held);
   * reconnection after that is automatic. A broker refusing our hello reaches `onError`.
   */
  start(): Promise<void> {
    if (this.started) return this.started;
    if (this.status !== 'idle') return Promise.reject(new SendError('closed', 'the backend is closed', '*'));
    this.status = 'running';
    this.started = Promise.all(
      this.links.map(
        (link) =>
          new Promise<void>((resolve, reject) => {
            this.connectWaiters.set(link, { resolve, reject });
            link.start();
          }),
      ),
    ).then(noop);
    return this.started;
  }

  /**
   * Stops reading new events, cancels route streams, waits up to `timeoutMs` for running and queued
   * handlers, flushes what is owed to brokers, then closes every link.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? 5000);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.status = 'closing';
    this.updateFlow();
    this.beforeClose();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all([this.scheduler.idle(), this.decisions.idle()]).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.log.warn({ running: this.scheduler.active, queued: this.scheduler.queued }, 'closing with handlers still running');
    await Promise.all(this.links.map((link) => link.close()));
    for (const waiter of this.connectWaiters.values()) waiter.reject(new SendError('closed', 'the backend closed before connecting', '*'));
    this.connectWaiters.clear();
    this.status = 'closed';
    this.afterClose();
  }

  /**
   * Sends `message` to every client in `roomId` (on every broker): a string as a text frame, bytes
   * as a binary frame (Strands brokers; a PyStrands broker delivers their base64 as text).
   * @example
   * await backend.sendToRoom('lobby', 'hello');
   * await backend.sendToRoom('lobby', new Uint8Array([1, 2, 3])); // a binary frame
   */
  sendToRoom(roomId: string, message: wire.OutgoingMessage): Promise<void> {
    return this.toAll(wire.messageToRoomLine(roomId, message));
  }

  /** Sends `value` as JSON to every client in `roomId`. */
  sendJsonToRoom(roomId: string, value: unknown): Promise<void> {
    return this.sendToRoom(roomId, JSON.stringify(value));
  }

  /** Sends `message` to one client: a string as a text frame, bytes as a binary frame (as `sendToRoom`). */
  sendToConnection(clientId: string, message: wire.OutgoingMessage): Promise<void> {
    return this.toClient(clientId, wire.messageToConnectionLine(clientId, message));
  }

  /** Sends to one client a text already written as JSON (the client id and the message): a reply of the text as it arrived. */
  sendJsonTextToConnection(clientId: string, clientIdJson: string, messageJson: string): Promise<void> {
    return this.toClient(clientId, wire.messageToConnectionJsonLine(clientIdJson, messageJson));
  }

  /** Sends `value` as JSON to one client. */
  sendJsonToConnection(clientId: string, value: unknown): Promise<void> {
    return this.sendToConnection(clientId, JSON.stringify(value));
  }

  /** Sends `message` to every connected client (on every broker): text, or bytes as a binary frame (as `sendToRoom`). */
  broadcast(message: wire.OutgoingMessage): Promise<void> {
    return this.toAll(wire.broadcastLine(message));
  }

  /** Sends `value` as JSON to every connected client. */
  broadcastJson(value: unknown): Promise<void> {
    return this.broadcast(JSON.stringify(value));
  }

  /** Adds a client to a room (Strands brokers; a client may be in several rooms). */
  joinRoom(clientId: string, roomId: string): Promise<void> {
    return this.toClient(clientId, wire.roomChangeLine('join_room', clientId, roomId));
  }

  /** Removes a client from a room (Strands brokers). */
  leaveRoom(clientId: string, roomId: string): Promise<void> {
    return this.toClient(clientId, wire.roomChangeLine('leave_room', clientId, roomId));
  }

  /** Closes a client's WebSocket with `code` (1000 or 3000-4999) and `reason` (Strands brokers). */
  disconnect(clientId: string, options: { code?: number; reason?: string } = {}): Promise<void> {
    return this.toClient(clientId, wire.disconnectLine(clientId, options.code, options.reason));
  }

  /**
   * Lists a room's members, merged over every broker (Strands brokers only: PyStrands brokers never
   * answer, so this rejects with `request_timeout` there).
   */
  async roomMembers(roomId: string): Promise<RoomMember[]> {
    const one = this.clusterLink();
    const links = one === undefined ? this.liveLinks() : [one];
    if (links.length === 0) throw new SendError('closed', 'the backend is closed', '*');
    const replies = await Promise.all(
      links.map((link) => {
        const requestId = wire.nextRequestId();
        return link.request(wire.roomMembersLine(requestId, roomId), requestId, this.options.requestTimeoutMs);
      }),
    );
    const members = new Map<string, RoomMember>();
    for (const reply of replies) {
      if (reply.action !== 'room_members_reply') continue;
      for (const member of reply.params.members) members.set(member.client_id, member);
    }
    return [...members.values()];
  }

  /**
   * Reads a room's history from a broker that keeps it (`historyRooms`, or `setRoomHistory`):
   * the messages after offset `since`, oldest first, or the latest `limit`, with the room's epoch
   * and latest offset. Rejects with a `broker_error` (`unavailable`) where the broker keeps none.
   * @example
   * const { messages } = await backend.roomHistory('lobby', { limit: 50 });
   */
  roomHistory(roomId: string, options: RoomHistoryOptions = {}): Promise<RoomHistoryPage> {
    return readRoomHistory(this.liveLinks(), roomId, options, this.options.requestTimeoutMs);
  }

  /**
   * Keeps the last `size` messages of one room (0: none), each at most `ttlMs` (default: the
   * broker's), on every connected broker that keeps history (others are skipped: they would refuse).
   */
  async setRoomHistory(roomId: string, options: { size: number; ttlMs?: number }): Promise<void> {
    const links = this.liveLinks().filter((link) => link.status === 'connected' && link.history);
    await Promise.all(links.map((link) => link.send(setRoomHistoryFrame(roomId, options.size, options.ttlMs))));
  }

  // LinkOwner: called by the links.
  onFrame(link: BrokerLink, frame: BrokerFrame): void {
    if (frame.action === 'error_reply') {
      const { code, message, action } = frame.params;
      this.reportError(new BrokerError('broker_error', `broker refused ${action ?? 'a frame'}: ${message}`, link.address, code));
      return;
    }
    this.dispatch(link, frame);
    this.updateFlow();
  }

  onNewMessage(link: BrokerLink, view: NewMessageView, known: KnownClient): void {
    this.dispatchMessage(link, view, known);
    this.updateFlow();
  }

  onConnected(link: BrokerLink): void {
    this.connectWaiters.get(link)?.resolve();
    this.connectWaiters.delete(link);
    this.brokerConnected(link.address);
  }

  onDisconnected(link: BrokerLink, error: Error | undefined): void {
    if (this.links.length > 1) for (const [clientId, home] of this.homes) if (home === link) this.homes.delete(clientId);
    this.brokerDisconnected(link.address, error);
  }

  onRejected(link: BrokerLink, error: BrokerError): void {
    this.connectWaiters.get(link)?.reject(error);
    this.connectWaiters.delete(link);
    this.reportError(error);
  }

  onPressureChange(): void {
    this.updateFlow();
  }

  onSendFailed(_link: BrokerLink, error: Error): void {
    this.reportError(error);
  }

  /** Called by event streams when they become full or drain. */
  protected streamFullChanged(full: boolean): void {
    this.fullStreams += full ? 1 : -1;
    this.updateFlow();
  }

  /** Pauses every broker socket while work piles up; resumes once it drains. */
  protected updateFlow(): void {
    const queued = this.scheduler.queued;
    const limit = this.options.maxQueuedEvents;
    const pause =
      this.status === 'closing' ||
      this.status === 'closed' ||
      this.fullStreams > 0 ||
      queued >= limit ||
      (this.paused && queued > limit / 2) ||
      this.links.some((link) => link.congested);
    if (pause === this.paused) return;
    this.paused = pause;
    for (const link of this.links) link.setPaused(pause);
  }

  /**
   * Runs a handler, turning a throw or rejection into a reported HandlerError. A handler that
   * returns one of this SDK's send promises is finished at once (undefined): the link keeps sends
   * in order and reports a failed write itself, so the client's next event need not wait a turn.
   */
  protected guard(event: HandlerEvent, clientId: string | undefined, run: () => unknown): unknown {
    try {
      const result = run();
      if (takeReturnedSend(result) !== undefined) return undefined;
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        return Promise.resolve(result).catch((cause: unknown) => this.reportError(toHandlerError(event, clientId, cause)));
      }
      return result;
    } catch (cause) {
      this.reportError(toHandlerError(event, clientId, cause));
      return undefined;
    }
  }

  protected liveLinks(): BrokerLink[] {
    return this.links.filter((link) => link.status !== 'rejected' && link.status !== 'closed');
  }

  /**
   * The link a command takes when the brokers form a cluster (any of them carries it to every
   * broker): the first connected cluster broker in list order, so commands keep one path and
   * their order while it stays up; else the first live one, which holds the command until it
   * reconnects. Undefined when no listed broker announced `cluster`.
   */
  private clusterLink(): BrokerLink | undefined {
    let waiting: BrokerLink | undefined;
    for (const link of this.links) {
      if (!link.cluster || link.status === 'rejected' || link.status === 'closed') continue;
      if (link.status === 'connected') return link;
      waiting ??= link;
    }
    return waiting;
  }

  private toAll(line: string): Promise<void> {
    if (this.status === 'closed' || this.status === 'idle') return this.refuse();
    if (this.links.length === 1) return this.links[0]!.send(line);
    const one = this.clusterLink();
    if (one !== undefined) return one.send(line);
    const links = this.liveLinks();
    if (links.length === 0) return this.refuse();
    return Promise.all(links.map((link) => link.send(line))).then(noop);
  }

  private toClient(clientId: string, line: string): Promise<void> {
    if (this.links.length === 1 || this.status === 'closed' || this.status === 'idle') return this.toAll(line);
    // In a cluster any broker reaches the client wherever it is.
    if (this.clusterLink() !== undefined) return this.toAll(line);
    const home = this.homes.get(clientId);
    return home === undefined ? this.toAll(line) : home.send(line);
  }

  private refuse(): Promise<void> {
    const error = new SendError('closed', this.status === 'idle' ? 'the backend is not started' : 'the backend is closed', '*');
    const promise = Promise.reject(error);
    promise.catch(noop);
    return promise;
  }

  /** Logs an error and hands it to the error hook. */
  protected abstract reportError(error: Error): void;
  /** Turns one broker frame into handler work. */
  protected abstract dispatch(link: BrokerLink, frame: BrokerFrame): void;
  /** Turns one client message read by the fast reader into handler work. */
  protected abstract dispatchMessage(link: BrokerLink, view: NewMessageView, known: KnownClient): void;
  protected abstract brokerConnected(address: string): void;
  protected abstract brokerDisconnected(address: string, error: Error | undefined): void;
  protected abstract beforeClose(): void;
  protected abstract afterClose(): void;
}

function toHandlerError(event: HandlerEvent, clientId: string | undefined, cause: unknown): Error {
  return isBackendError(cause) && cause.name === 'HandlerError' ? cause : new HandlerError('handler_error', event, clientId, { cause });
}

// Every backend connection of this broker: from TCP accept to ready, paused, dropped or gone.
import type { Socket } from 'node:net';
import type { Backplane } from '../core/backplane.js';
import type { BrokerContext } from '../core/context.js';
import type { Dispatcher } from '../core/dispatcher.js';
import type { EventOwner } from '../core/consumers.js';
import { BackendConnection } from './backend-connection.js';
import type { BackendHandler } from './backend-handler.js';
import type { BackendPool } from './backend-pool.js';
import type { BackendDecider } from './connection-decisions.js';

/** Told when a backend falls behind (past its high-water mark) and when it caught up or is gone. */
export interface BackendLagHooks {
  behind(backend: BackendConnection): void;
  caughtUp(backend: BackendConnection): void;
}

/** Owns the backend connections; the pool holds those ready to take work. */
export class BackendRegistry {
  /** Every connected backend, ready or not (heartbeats go to all). */
  private readonly connections = new Set<BackendConnection>();
  /** False while clients owe more than the outbox bound: backends are not read, so no more fan-out piles up. */
  private reading = true;
  private handler: BackendHandler | undefined;
  private lag: BackendLagHooks | undefined;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly pool: BackendPool,
    private readonly dispatcher: Dispatcher<EventOwner>,
    private readonly decider: BackendDecider,
    /** Told the number of ready backends whenever it changes (a cluster announces it). */
    private readonly backplane?: Pick<Backplane, 'backendsChanged'>,
  ) {
    decider.countUnprovenWith(() => this.connections.size - this.pool.size);
  }

  /** Set once by the broker (the handler needs the registry, and the registry the handler). */
  handleWith(handler: BackendHandler): void {
    this.handler = handler;
  }

  /** Set once by the broker: the gateway stops reading the clients of a backend that falls behind. */
  onLag(hooks: BackendLagHooks): void {
    this.lag = hooks;
  }

  /** Every connected backend (a copy). */
  all(): BackendConnection[] {
    return [...this.connections];
  }

  /** A TCP connection came in: it becomes a backend, ready at once unless a token is required. */
  accept(socket: Socket): void {
    const handler = this.handler;
    if (this.ctx.stopping || handler === undefined) {
      socket.destroy();
      return;
    }
    const { options, metrics, logger } = this.ctx;
    const backend = new BackendConnection(
      socket,
      {
        line: (b, line) => handler.line(b, line),
        oversize: (b, error) => handler.oversize(b, error),
        written: (b, events) => this.dispatcher.written(b, events),
        closed: (b, reason) => this.gone(b, reason),
        behind: (b) => this.lag?.behind(b),
        caughtUp: (b) => this.lag?.caughtUp(b),
      },
      {
        maxLineBytes: options.maxBackendLineBytes,
        maxBufferBytes: options.maxBackendBufferBytes,
        authorized: options.backendToken === undefined,
      },
    );
    this.connections.add(backend);
    if (!this.reading) backend.setReading(false);
    metrics.backendConnectionsTotal += 1;
    logger.info({ backend: backend.id, remote: backend.remote }, 'backend connected');
    if (!backend.authorized) return;
    this.prove(backend, options.backendProbationMs);
  }

  /**
   * No client's connection request (nor event) goes to a connection before it proved itself a
   * backend. With a token, its `hello` carrying it is the proof. Without one (loopback only), a
   * first valid frame is (an SDK backend's `hello`); but a PyStrands backend never speaks first,
   * it waits for a connection request, so silence is the proof too: the connections to keep out
   * are HTTP clients (a web page's or an SSRF's POST to a loopback port), which send their request
   * at once, and are refused by their first bytes (http-sniff) before `backendProbationMs` ends.
   */
  private prove(backend: BackendConnection, probationMs: number): void {
    if (probationMs === 0) return this.ready(backend);
    const timer = setTimeout(() => {
      if (backend.alive && backend.silent) this.ready(backend);
    }, probationMs);
    timer.unref();
  }

  /** A backend proved itself and may now take work: it joins the pool and receives the waiting events, in order. */
  ready(backend: BackendConnection): void {
    if (!backend.alive || this.pool.has(backend)) return;
    backend.proven = true;
    this.pool.add(backend);
    this.backplane?.backendsChanged?.(this.pool.size);
    this.ctx.logger.info({ backend: backend.id, remote: backend.remote, name: backend.name, backends: this.pool.size }, 'backend ready');
    this.dispatcher.ready();
    this.decider.backendReady();
  }

  /** A backend acknowledged client events by id (the `ack` capability). */
  acknowledged(backend: BackendConnection, ids: readonly string[]): void {
    this.dispatcher.acknowledged(backend, ids);
  }

  /** Stops or restarts reading from every backend (new ones follow). */
  setReading(on: boolean): void {
    this.reading = on;
    for (const backend of this.connections) backend.setReading(on);
  }

  /** Writes what each backend is owed and closes it, within `timeoutMs`. */
  async endAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.connections].map((b) => b.end(timeoutMs)));
  }

  /** A backend's socket is gone: pending upgrades and held events move on; nothing is lost or reordered. */
  private gone(backend: BackendConnection, reason: string): void {
    this.connections.delete(backend);
    const wasReady = this.pool.has(backend);
    this.pool.remove(backend);
    // Also while stopping: other brokers should stop sending work here at once.
    if (wasReady) this.backplane?.backendsChanged?.(this.pool.size);
    if (backend.droppedByBroker) this.ctx.metrics.backendsDropped += 1;
    if (this.ctx.stopping) return;
    const level = backend.droppedByBroker ? 'warn' : 'info';
    this.ctx.logger[level]({ backend: backend.id, remote: backend.remote, reason, backends: this.pool.size }, 'backend gone');
    if (wasReady) this.decider.backendGone(backend);
    else this.decider.unprovenGone();
    this.dispatcher.lost(backend);
  }
}

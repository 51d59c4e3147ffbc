// The broker's shared state and the rules that move events between clients, backends and the queue.
import type { Logger } from 'pino';
import { BackendPool } from './backends/backend-pool.js';
import type { BackendConnection } from './backends/backend-connection.js';
import { disconnectedLine, newConnectionLine } from './backends/backend-frames.js';
import type { ClientConnection } from './gateway/client-connection.js';
import { ClientOutbox } from './gateway/outbox.js';
import { RateLimitedLog } from './logger.js';
import { Metrics, type Gauges } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { EventQueue } from './queue.js';
import { Rooms } from './rooms.js';

export type Backend = BackendConnection<ClientConnection>;

/** How a client is let go: with a close frame, or by cutting the socket. */
export type DropMode = 'close' | 'terminate';

/** Hooks the gateway registers so the hub can act on pending upgrades without importing them. */
export interface UpgradeHooks {
  backendGone(backend: Backend): void;
  pendingCount(): number;
}

/**
 * Frame bytes (counted per recipient) the outbox may owe before backends stop being read.
 * A room of 1,000 with 8 messages of 64 bytes in flight owes about 0.6 MB.
 */
const MAX_OUTBOX_BACKLOG_BYTES = 16 * 1024 * 1024;

export class Hub {
  readonly clients = new Map<string, ClientConnection>();
  readonly rooms = new Rooms<ClientConnection>();
  readonly outbox = new ClientOutbox(MAX_OUTBOX_BACKLOG_BYTES, {
    full: () => this.setBackendReads(false),
    drained: () => this.setBackendReads(true),
  });
  /** False while the outbox is over its bound: backends are not read, so no more fan-out piles up. */
  backendReads = true;
  readonly pool = new BackendPool<ClientConnection>();
  /** Every connected backend, ready or not (heartbeats go to all). */
  readonly backends = new Set<Backend>();
  readonly queue: EventQueue<ClientConnection>;
  readonly metrics = new Metrics();
  upgrades: UpgradeHooks = { backendGone: () => undefined, pendingCount: () => 0 };
  stopping = false;
  private readonly dropLog = new RateLimitedLog(1000);

  constructor(
    readonly options: ResolvedOptions,
    readonly logger: Logger,
  ) {
    this.queue = new EventQueue(options.queueSize, options.queueOverflow);
  }

  /** Current values for /healthz and /metrics. */
  gauges(): Gauges {
    return {
      clients: this.clients.size,
      rooms: this.rooms.size,
      backends: this.pool.size,
      queueLength: this.queue.length,
      pendingConnectionRequests: this.upgrades.pendingCount(),
      clientBufferedBytes: this.clientBufferedBytes(),
    };
  }

  private clientBufferedBytes(): number {
    let total = 0;
    for (const client of this.clients.values()) total += client.bufferedBytes;
    return total;
  }

  /**
   * Sends one event about `client` to the backend that owns the client, picking (and pinning)
   * a new one when that backend is gone, or queues it while no backend is connected.
   */
  sendClientEvent(client: ClientConnection, line: string): void {
    // While a flush is under way, new events go behind the queued ones so each client's order holds.
    if (this.queue.length > 0) {
      this.enqueue(line, client);
      return;
    }
    let backend = client.backend as Backend | undefined;
    if (backend === undefined || !backend.alive) {
      backend = this.pool.pick();
      if (backend === undefined) {
        this.enqueue(line, client);
        return;
      }
      client.backend = backend;
    }
    // Refused only when that backend was just dropped; its unsent events moved on first, so this one follows them.
    if (!backend.send(line, client)) this.sendClientEvent(client, line);
  }

  private enqueue(line: string, owner: ClientConnection): void {
    if (this.stopping) return;
    if (!this.queue.push(line, owner).dropped) return;
    this.metrics.queueDrops += 1;
    this.dropLog.hit((suppressed) => {
      this.logger.warn(
        { queueSize: this.queue.capacity, policy: this.queue.overflow, droppedSinceLastLog: suppressed + 1 },
        this.queue.capacity === 0 ? 'no backend and the queue is disabled: event dropped' : 'queue full: event dropped',
      );
    });
  }

  /** Stops or restarts reading from every backend (new ones follow `backendReads`). */
  private setBackendReads(on: boolean): void {
    this.backendReads = on;
    for (const backend of this.backends) backend.setReading(on);
  }

  /** A backend may now take work: it joins the pool and receives the queue, in order. */
  backendReady(backend: Backend): void {
    if (!backend.alive || this.pool.has(backend)) return;
    this.pool.add(backend);
    this.logger.info({ backend: backend.id, remote: backend.remote, name: backend.name, backends: this.pool.size }, 'backend ready');
    this.flushQueue();
  }

  /**
   * Hands the queue, in order, to ready backends (each event to its client's backend, orphans
   * to one picked backend), pausing while a backend has half its buffer bound unsent and
   * resuming when it has written. An event leaves the queue only once a live backend took it;
   * if that backend is dropped meanwhile, its unsent events come back to the front.
   */
  private flushQueue(): void {
    if (this.queue.length === 0 || this.stopping) return;
    const target = this.pool.pick();
    if (target === undefined) return;
    const softLimit = this.options.maxBackendBufferBytes / 2;
    let moved = 0;
    for (let event = this.queue.peek(); event !== undefined; event = this.queue.peek()) {
      const owner = event.owner;
      let backend = owner.backend as Backend | undefined;
      if (backend === undefined || !backend.alive) backend = target.alive ? target : this.pool.pick();
      if (backend === undefined) break;
      if (backend.bufferedBytes > 0 && backend.bufferedBytes + event.line.length > softLimit) {
        backend.onWritten(() => this.flushQueue());
        break;
      }
      owner.backend = backend;
      if (!backend.send(event.line, owner)) break;
      this.queue.shift();
      moved += 1;
    }
    this.logger.debug({ events: moved, left: this.queue.length }, 'queue flushed');
  }

  /** A backend's socket is gone: its unsent events and pending upgrades move on, nothing is lost or reordered. */
  backendGone(backend: Backend, reason: string): void {
    this.backends.delete(backend);
    const wasReady = this.pool.has(backend);
    this.pool.remove(backend);
    if (backend.droppedByBroker) this.metrics.backendsDropped += 1;
    if (this.stopping) return;
    const level = backend.droppedByBroker ? 'warn' : 'info';
    this.logger[level]({ backend: backend.id, remote: backend.remote, reason, backends: this.pool.size }, 'backend gone');
    if (wasReady) this.upgrades.backendGone(backend);
    const unsent = backend.takeUnsent();
    const events: { line: string; owner: ClientConnection }[] = [];
    for (let i = 0; i < unsent.lines.length; i += 1) {
      const owner = unsent.owners[i];
      // Lines without an owner were meant for that backend alone (replies, heartbeats, requests retried above).
      if (owner !== null && owner !== undefined) events.push({ line: unsent.lines[i] as string, owner });
    }
    // Through the front of the queue, so they stay ahead of anything queued or flushing after them.
    this.queue.prepend(events);
    this.flushQueue();
    if (this.queue.capacity === 0 && this.queue.length > 0) {
      // Queue disabled: what no backend can take now is dropped, as any other event would be.
      this.metrics.queueDrops += this.queue.length;
      this.queue.clear();
    }
  }

  /** Registers an accepted client; an older connection with the same id is replaced (closed with 4409). */
  addClient(client: ClientConnection, backend: Backend): void {
    const older = this.clients.get(client.id);
    if (older !== undefined) this.dropClient(older, 4409, 'replaced', 'close');
    client.backend = backend;
    this.clients.set(client.id, client);
    this.rooms.join(client, client.roomId);
    this.metrics.connectionsTotal += 1;
    this.sendClientEvent(client, newConnectionLine(client.contextJson));
  }

  /**
   * Removes a client once: from the registry and its rooms, tells its backend `disconnected`,
   * and closes the socket when the broker is the one letting it go.
   */
  dropClient(client: ClientConnection, code: number, reason: string, mode?: DropMode): void {
    if (client.gone) return;
    client.gone = true;
    this.outbox.forget(client.discard());
    if (this.clients.get(client.id) === client) this.clients.delete(client.id);
    this.rooms.leaveAll(client);
    this.metrics.disconnectionsTotal += 1;
    this.sendClientEvent(client, disconnectedLine(client.contextJson, code, reason));
    if (mode === 'terminate') {
      client.ws.terminate();
    } else if (mode === 'close') {
      client.ws.close(code, reason);
      // A client that does not read will never answer the close frame: cut it after a grace period.
      const timer = setTimeout(() => client.ws.terminate(), 1000);
      timer.unref();
    }
  }

  /** Queues a frame for one client; a client whose buffer overflows is closed with 1013. */
  deliver(client: ClientConnection, frame: Buffer): void {
    if (client.gone) return;
    if (client.enqueue(frame, this.options.maxClientBufferBytes)) {
      this.outbox.touch(client, frame.length);
      this.metrics.deliveries += 1;
      return;
    }
    this.metrics.slowClientCloses += 1;
    this.logger.warn({ client: client.id, bufferedBytes: client.bufferedBytes }, 'slow client closed (1013)');
    this.dropClient(client, 1013, 'slow consumer: outbound buffer full', 'close');
  }
}

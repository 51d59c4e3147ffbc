// Backends that fall behind: the clients whose events go to one are not read until it catches up.
import type { EventConsumer } from '../core/consumers.js';
import type { BrokerContext } from '../core/context.js';
import { RateLimitedLog } from '../logger.js';
import type { ClientConnection } from './client-connection.js';

/**
 * Rather than collect what a slow backend cannot take yet (and drop it, or the backend, at a
 * bound), the broker stops reading the clients that feed it. All of that backend's clients
 * that send, not only the heaviest: each of them adds to the same backlog, the per-client rate
 * limits already cap the heaviest, and a ranking by recent rate would have to be kept per
 * message for every client. Clients of other backends are not touched. A client is paused on
 * its next message (those that send nothing add nothing) and read again when the backend is
 * back under half its high-water mark, or gone.
 */
export class BackendBackpressure {
  /** Backends behind now, each with the clients paused for it. */
  private readonly behindNow = new Map<EventConsumer, ClientConnection[]>();
  private readonly log = new RateLimitedLog(1000);

  constructor(private readonly ctx: BrokerContext) {}

  /** `backend` passed its high-water mark. */
  behind(backend: EventConsumer): void {
    if (this.behindNow.has(backend)) return;
    this.behindNow.set(backend, []);
    this.ctx.metrics.backendBehind += 1;
    this.log.hit((suppressed) => {
      this.ctx.logger.info({ bufferedBytes: backend.bufferedBytes, timesSinceLastLog: suppressed + 1 }, 'backend behind: its clients are not read until it catches up');
    });
  }

  /** `backend` caught up or is gone: its clients are read again. */
  caughtUp(backend: EventConsumer): void {
    const paused = this.behindNow.get(backend);
    if (paused === undefined) return;
    this.behindNow.delete(backend);
    for (const client of paused) client.resumeReading('backend');
  }

  /** After a client's message went to its backend: a backend that is behind stops this client being read. */
  afterMessage(client: ClientConnection): void {
    if (this.behindNow.size === 0) return;
    const affinity = client.affinity;
    const paused = affinity === undefined ? undefined : this.behindNow.get(affinity);
    if (paused === undefined || client.isPausedFor('backend')) return;
    client.pauseReading('backend');
    paused.push(client);
  }
}

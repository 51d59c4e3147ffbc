// Backends that fall behind: the clients whose events go to one are not read until it catches up.
import type { EventConsumer } from '../core/consumers.js';
import type { BrokerContext } from '../core/context.js';
import { RateLimitedLog } from '../logger.js';
import type { ClientConnection } from './client-connection.js';

/** Messages a client may send to a backend that is behind before it is paused (the heavy ones first). */
export const HEAVY_CLIENT_MESSAGES = 32;
/** How far past the point where it fell behind a backend's unsent bytes may grow before every client sending to it is paused. */
const ALL_CLIENTS_FACTOR = 4;

/** A backend behind now: what it owed when it fell behind, who sent to it since, who is paused for it. */
interface Episode {
  readonly startBytes: number;
  readonly sent: Map<ClientConnection, number>;
  readonly paused: ClientConnection[];
}

/**
 * Rather than collect what a slow backend cannot take yet (and drop it, or the backend, at a
 * bound), the broker stops reading the clients that feed it, the heaviest first: while a backend
 * is behind, a client that sent it more than HEAVY_CLIENT_MESSAGES since is paused on its next
 * message. A flooder is paused within one read; a client sending a few messages a second is not
 * (on a resume a flooder's socket yields a whole read of messages, a calm client's one or two, so
 * pausing both alike would give the backend's capacity to the flooder). Should the backlog still
 * grow to ALL_CLIENTS_FACTOR times what it was when the backend fell behind (many clients, each
 * light), every client sending to it is paused. Clients of other backends are not touched. They
 * are read again when the backend is back under half its high-water mark, or gone.
 */
export class BackendBackpressure {
  /** Backends behind now. */
  private readonly behindNow = new Map<EventConsumer, Episode>();
  private readonly log = new RateLimitedLog(1000);

  constructor(private readonly ctx: BrokerContext) {}

  /** `backend` passed its high-water mark. */
  behind(backend: EventConsumer): void {
    if (this.behindNow.has(backend)) return;
    this.behindNow.set(backend, { startBytes: backend.bufferedBytes, sent: new Map(), paused: [] });
    this.ctx.metrics.backendBehind += 1;
    this.log.hit((suppressed) => {
      this.ctx.logger.info({ bufferedBytes: backend.bufferedBytes, timesSinceLastLog: suppressed + 1 }, 'backend behind: its heaviest clients are not read until it catches up');
    });
  }

  /** `backend` caught up or is gone: its clients are read again. */
  caughtUp(backend: EventConsumer): void {
    const episode = this.behindNow.get(backend);
    if (episode === undefined) return;
    this.behindNow.delete(backend);
    for (const client of episode.paused) client.resumeReading('backend');
  }

  /** After a client's message went to its backend: a backend that is behind stops a heavy client (or, far behind, any) being read. */
  afterMessage(client: ClientConnection): void {
    if (this.behindNow.size === 0) return;
    const affinity = client.affinity;
    const episode = affinity === undefined ? undefined : this.behindNow.get(affinity);
    if (episode === undefined || client.isPausedFor('backend')) return;
    const sent = (episode.sent.get(client) ?? 0) + 1;
    episode.sent.set(client, sent);
    if (sent <= HEAVY_CLIENT_MESSAGES && (affinity as EventConsumer).bufferedBytes <= ALL_CLIENTS_FACTOR * episode.startBytes) return;
    client.pauseReading('backend');
    episode.paused.push(client);
  }
}

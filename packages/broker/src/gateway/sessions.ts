// Sessions of clients that asked for them: resume tokens (with the rooms they list), resumed client ids and rooms, history positions and recovery.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { publicationEnvelope } from '@strands/protocol/wire';
import type { WebSocket } from 'ws';
import type { Backplane } from '../core/backplane.js';
import type { Acceptance } from '../core/decisions.js';
import type { RecoveryRequest, RoomHistory } from '../core/history.js';
import type { HistoryPosition } from '../core/history-store.js';
import type { ClientConnection } from './client-connection.js';
import type { ClientRegistry, SessionHooks } from './client-registry.js';
import { attachClient, type ClientSide } from './clients.js';
import type { ResumeTokens } from './resume-tokens.js';
import { readSessionQuery } from './session-query.js';
import { syncShared, type SharedRecoveryDeps } from './shared-recovery.js';
import { envelopeFrame, textFrame } from './ws-frames.js';

/** Sessions kept for resumption after their client dropped; past it the oldest is forgotten. */
const MAX_DETACHED_SESSIONS = 100_000;

/** Never refresh tokens more often than this, whatever the window. */
const MIN_REFRESH_MS = 1000;

/** The rooms a session closed on purpose (1000), or kept past its window, resumes in: none (its client id still goes on). */
const NO_ROOMS: readonly string[] = [];

interface Detached {
  rooms: readonly string[];
  until: number;
}

/**
 * Accepts clients: one that asked for a session gets its client id and a resume token first,
 * then for each of its rooms with history either its position or, where it asked, what it
 * missed (in order, then live: all of it is written in this one turn of the event loop, so no
 * live message can fall between) or `unrecoverable`. A valid resume token keeps the client id
 * and the rooms of the session it names: those this broker remembers of it, or else those the
 * token lists (the session was on another broker, or before a restart). A client whose rooms
 * change gets a new token listing them, one per turn of the event loop however many changed.
 */
export class Sessions implements SessionHooks {
  private readonly detachedRooms = new Map<string, Detached>();
  /** Set while a resumed session's rooms are joined again: those get recovery or a position below, not one each now. */
  private restoring = false;
  private timer: NodeJS.Timeout | undefined;
  /** Clients whose rooms changed in this turn of the event loop: each gets one new token when it ends. */
  private readonly changed = new Set<ClientConnection>();
  private reissue: NodeJS.Immediate | undefined;
  /** Connections that resumed a session with a valid token. */
  resumed = 0;
  /** Cluster mode: positions and recoveries read from the shared history (set by the broker). */
  shared: SharedRecoveryDeps | undefined;

  constructor(
    private readonly side: ClientSide,
    private readonly history: RoomHistory,
    private readonly tokens: ResumeTokens,
    private readonly windowMs: number,
    private readonly backplane: Pick<Backplane, 'join'>,
    private readonly now: () => number = Date.now,
  ) {
    side.registry.sessionHooks = this;
  }

  private get registry(): ClientRegistry {
    return this.side.registry;
  }

  /** The upgrade handler's accept: every accepted client comes through here. */
  accept(ws: WebSocket, socket: Duplex, acceptance: Acceptance, ip: string, req: IncomingMessage): void {
    const request = readSessionQuery(req.url);
    if (request === undefined) {
      attachClient(this.side, ws, socket, acceptance, ip);
      return;
    }
    const now = this.now();
    const claim = this.windowMs > 0 && request.token !== undefined ? this.tokens.verify(request.token, now) : undefined;
    const accepted = claim === undefined ? acceptance : { ...acceptance, clientId: claim.clientId };
    const client = attachClient(this.side, ws, socket, accepted, ip, { positions: true, resumed: claim !== undefined });
    if (client.gone) return;
    if (claim !== undefined) {
      this.resumed += 1;
      this.restoreRooms(client, now, claim.rooms);
    }
    this.registry.deliver(client, this.sessionFrame(client, claim !== undefined, now));
    const asked = new Map(request.recover.map((r) => [r.room, r]));
    for (const room of client.rooms) {
      const wanted = asked.get(room);
      asked.delete(room);
      if (this.shared !== undefined && this.history.has(room)) syncShared(this.shared, client, room, wanted);
      else if (wanted !== undefined) this.recover(client, wanted);
      else if (this.history.has(room)) this.registry.deliver(client, envelopeFrame({ strands: 'position', room, ...this.history.position(room) }));
    }
    // Rooms it was in and no longer is (its session could not be resumed): it cannot know what it missed there.
    for (const wanted of asked.values()) this.unrecoverable(client, wanted.room, 'not_in_room');
  }

  /** Starts refreshing the tokens of connected clients (each lasts one window from its issue) and forgetting old sessions. */
  start(): void {
    if (this.windowMs === 0) return;
    this.timer = setInterval(() => this.refresh(), Math.max(MIN_REFRESH_MS, Math.floor(this.windowMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.reissue !== undefined) clearImmediate(this.reissue);
    this.reissue = undefined;
    this.changed.clear();
  }

  // SessionHooks

  detached(client: ClientConnection, code: number): void {
    if (this.windowMs === 0) return;
    if (this.detachedRooms.size >= MAX_DETACHED_SESSIONS) {
      const oldest = this.detachedRooms.keys().next().value;
      if (oldest !== undefined) this.detachedRooms.delete(oldest);
    }
    this.detachedRooms.delete(client.id);
    // 1000: closed on purpose (the backend's disconnect_connection or the client's own close): no rooms
    // to resume, kept as such so that its token's rooms do not bring them back on this broker.
    this.detachedRooms.set(client.id, { rooms: code === 1000 ? NO_ROOMS : client.rooms, until: this.now() + this.windowMs });
  }

  joined(client: ClientConnection, roomId: string): void {
    if (this.restoring) return;
    this.roomsChanged(client);
    if (!this.history.has(roomId)) return;
    if (this.shared !== undefined) return syncShared(this.shared, client, roomId, undefined);
    this.registry.deliver(client, envelopeFrame({ strands: 'position', room: roomId, ...this.history.position(roomId) }));
  }

  left(client: ClientConnection): void {
    this.roomsChanged(client);
  }

  private roomsChanged(client: ClientConnection): void {
    if (this.windowMs === 0) return;
    this.changed.add(client);
    this.reissue ??= setImmediate(() => this.reissueTokens());
  }

  private reissueTokens(): void {
    this.reissue = undefined;
    const now = this.now();
    for (const client of this.changed) if (!client.gone) this.registry.deliver(client, this.sessionFrame(client, false, now));
    this.changed.clear();
  }

  /** This broker's memory of the session is newer than any token (and knows a close on purpose); else the token's rooms. */
  private restoreRooms(client: ClientConnection, now: number, listed: readonly string[]): void {
    const saved = this.detachedRooms.get(client.id);
    if (saved !== undefined) this.detachedRooms.delete(client.id);
    const rooms = saved === undefined ? listed : saved.until >= now ? saved.rooms : NO_ROOMS;
    this.restoring = true;
    try {
      for (const room of rooms) {
        if (client.gone) break;
        // As a backend's join_room of a local client (done at once, true): a cluster's presence hears of it
        // too, and the room's channel opens; rooms the client is in already are skipped.
        void this.backplane.join(client.id, room);
      }
    } finally {
      this.restoring = false;
    }
  }

  private recover(client: ClientConnection, wanted: RecoveryRequest): void {
    if (!this.history.has(wanted.room)) return this.unrecoverable(client, wanted.room, 'no_history');
    const result = this.history.since(wanted);
    if (!result.ok) return this.unrecoverable(client, wanted.room, result.reason, result.position);
    const { epoch } = result.position;
    for (const p of result.publications) {
      this.registry.deliver(client, textFrame(publicationEnvelope(wanted.room, p.offset, epoch, p.message, p.binary)));
    }
    this.registry.deliver(client, envelopeFrame({ strands: 'recovered', room: wanted.room, ...result.position, replayed: result.publications.length }));
  }

  private unrecoverable(client: ClientConnection, room: string, reason: 'epoch' | 'trimmed' | 'too_many' | 'no_history' | 'not_in_room', position?: HistoryPosition): void {
    const at = position ?? (this.shared === undefined && this.history.has(room) ? this.history.position(room) : { offset: 0, epoch: '' });
    this.registry.deliver(client, envelopeFrame({ strands: 'unrecoverable', room, ...at, reason }));
  }

  private sessionFrame(client: ClientConnection, resumed: boolean, now: number): Buffer {
    const token = this.windowMs === 0 ? '' : this.tokens.issue(client.id, now + this.windowMs, client.rooms);
    return envelopeFrame({ strands: 'session', client_id: client.id, token, resumed, expires_in_ms: this.windowMs });
  }

  private refresh(): void {
    const now = this.now();
    for (const [id, saved] of this.detachedRooms) {
      if (saved.until >= now) break; // in the order they were kept: the rest are younger
      this.detachedRooms.delete(id);
    }
    for (const client of this.registry.all()) {
      if (client.positions && !client.gone) this.registry.deliver(client, this.sessionFrame(client, false, now));
    }
  }
}

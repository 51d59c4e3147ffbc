// This broker's clients: who is connected, in which rooms, and delivery to them (the LocalNode of the backplane).
import { CLOSE_CODES, publicationEnvelope } from '@strands/protocol/wire';
import { disconnectedLine, newConnectionLine } from '../core/event-lines.js';
import type { Backplane, LocalNode, MemberInfo } from '../core/backplane.js';
import type { BrokerContext } from '../core/context.js';
import type { EventDispatcher } from '../core/dispatcher.js';
import type { HistoryPosition } from '../core/history-store.js';
import { resumedConnectionLine } from '../core/session-lines.js';
import type { ClientConnection } from './client-connection.js';
import { ClientOutbox, type BacklogHooks } from './outbox.js';
import type { RoomGapRepair } from './room-gap-repair.js';
import { RoomHolds } from './room-holds.js';
import { Rooms } from './rooms.js';
import { messageFrame, textFrame } from './ws-frames.js';

/** What the session layer hears about clients that asked for positions (`ClientConnection.positions`). */
export interface SessionHooks {
  /** About to leave every room (dropped with `code`): its session may be resumed. */
  detached(client: ClientConnection, code: number): void;
  /** Joined a room: it is told the room's position when the room keeps history. */
  joined(client: ClientConnection, roomId: string): void;
  /** Left a room (not by being dropped): its resume token no longer lists it. */
  left(client: ClientConnection, roomId: string): void;
}

/** How a client is let go: with a close frame, or by cutting the socket. */
export type DropMode = 'close' | 'terminate';

/** Close code of a connection replaced by a newer one with the same client id (the protocol's one table). */
export const REPLACED_CLOSE_CODE = CLOSE_CODES.replaced;

/**
 * Frame bytes (counted per recipient) the outbox may owe before backends stop being read.
 * A room of 1,000 with 8 messages of 64 bytes in flight owes about 0.6 MB.
 */
const MAX_OUTBOX_BACKLOG_BYTES = 16 * 1024 * 1024;

/** Grace period for a client that does not answer a close frame. */
const CLOSE_GRACE_MS = 1000;

const NO_MEMBERS: ReadonlySet<ClientConnection> = new Set();

/**
 * Registers accepted clients and carries out, on them, what the backplane asks. Every event
 * about a client (connected, message, gone) goes to the backends through the dispatcher.
 */
export class ClientRegistry implements LocalNode {
  private readonly clients = new Map<string, ClientConnection>();
  private readonly rooms: Rooms<ClientConnection>;
  readonly outbox: ClientOutbox;
  /** Set by the session layer (history, resume tokens). */
  sessionHooks: SessionHooks | undefined;
  /** Rooms' live messages held for clients whose recovery is being read (cluster mode). */
  readonly holds = new RoomHolds();
  /** Holes in rooms' live messages filled from the shared history (cluster mode); set by the broker. */
  gaps: RoomGapRepair | undefined;
  /** Passes on what a client's rate pause held back (clients.ts `passHeld`); set by the broker. */
  passHeld: ((client: ClientConnection) => void) | undefined;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly dispatcher: EventDispatcher,
    private readonly backplane: Backplane,
    backlog: BacklogHooks,
  ) {
    this.outbox = new ClientOutbox(MAX_OUTBOX_BACKLOG_BYTES, backlog, ctx.options.clientWriteDelayMs);
    this.rooms = new Rooms({
      opened: (roomId) => backplane.roomOpened?.(roomId),
      closed: (roomId) => {
        this.gaps?.closed(roomId);
        backplane.roomClosed?.(roomId);
      },
    });
  }

  get size(): number {
    return this.clients.size;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Every client connected now (a copy: safe to drop clients while iterating). */
  all(): ClientConnection[] {
    return [...this.clients.values()];
  }

  /** Bytes written to client sockets and not yet taken by the kernel, all clients together. */
  bufferedBytes(): number {
    let total = 0;
    for (const client of this.clients.values()) total += client.bufferedBytes;
    return total;
  }

  /** Registers an accepted client; an older connection with the same id is replaced (closed with CLOSE_CODES.replaced, 4900). */
  add(client: ClientConnection, resumed = false): void {
    const older = this.clients.get(client.id);
    if (older !== undefined) this.drop(older, REPLACED_CLOSE_CODE, 'replaced', 'close');
    this.clients.set(client.id, client);
    this.rooms.join(client, client.roomId);
    this.ctx.metrics.connectionsTotal += 1;
    this.dispatcher.send(client, resumed ? resumedConnectionLine(client.contextJson) : newConnectionLine(client.contextJson));
    this.backplane.clientAttached(client.info);
  }

  /**
   * Removes a client once: from the registry and its rooms, tells its backend `disconnected`,
   * and closes the socket when the broker is the one letting it go.
   */
  drop(client: ClientConnection, code: number, reason: string, mode?: DropMode): void {
    if (client.gone) return;
    // Sent before it was let go, so its backend hears of it before its `disconnected`.
    if (client.held !== undefined) this.passHeld?.(client);
    client.setState(mode === 'close' ? 'closing' : 'closed');
    this.outbox.forget(client.discard());
    const registered = this.clients.get(client.id) === client;
    if (registered) this.clients.delete(client.id);
    if (client.positions) this.sessionHooks?.detached(client, code);
    this.rooms.leaveAll(client);
    this.ctx.metrics.disconnectionsTotal += 1;
    this.dispatcher.send(client, disconnectedLine(client.contextJson, code, reason));
    if (registered) this.backplane.clientDetached(client.info);
    if (mode === 'terminate') {
      client.ws.terminate();
    } else if (mode === 'close') {
      client.ws.close(code, reason);
      // A client that does not read will never answer the close frame: cut it after a grace period.
      const timer = setTimeout(() => client.ws.terminate(), CLOSE_GRACE_MS);
      timer.unref();
    }
  }

  /**
   * Queues a frame for one client; a client whose buffer overflows is closed with 1013. `fanOut`
   * for a room's or a broadcast's frame: it may wait out the write delay (`clientWriteDelayMs`).
   */
  deliver(client: ClientConnection, frame: Buffer, fanOut = false): void {
    if (client.gone) return;
    if (client.enqueue(frame, this.ctx.options.maxClientBufferBytes)) {
      this.outbox.touch(client, frame.length, fanOut);
      this.ctx.metrics.deliveries += 1;
      return;
    }
    this.ctx.metrics.slowClientCloses += 1;
    this.ctx.logger.warn({ client: client.id, bufferedBytes: client.bufferedBytes }, 'slow client closed (1013)');
    this.drop(client, 1013, 'slow consumer: outbound buffer full', 'close');
  }

  // LocalNode: what the backplane carries out on this broker's clients.

  toRoom(roomId: string, message: string, binary: boolean): number {
    const members = this.rooms.members(roomId);
    if (members === undefined) return 0;
    const frame = messageFrame(message, binary);
    for (const member of members) this.deliver(member, frame, true);
    this.ctx.metrics.fanoutDeliveries += members.size;
    return members.size;
  }

  toRoomAt(roomId: string, message: string, binary: boolean, position: HistoryPosition): number {
    const members = this.rooms.members(roomId);
    if (members === undefined) return 0;
    // Not the room's next message: held for (or already sent by) the gap repair.
    if (this.gaps !== undefined && !this.gaps.next(roomId, message, binary, position)) return 0;
    return this.fanOutAt(members, roomId, message, binary, position);
  }

  /** The local members of a room (none when it has none). */
  membersOf(roomId: string): ReadonlySet<ClientConnection> {
    return this.rooms.members(roomId) ?? NO_MEMBERS;
  }

  /** Fans a message of a room with history out as it is, past the gap repair (what the repair read). */
  repairedAt(roomId: string, message: string, binary: boolean, position: HistoryPosition): number {
    const members = this.rooms.members(roomId);
    return members === undefined ? 0 : this.fanOutAt(members, roomId, message, binary, position);
  }

  private fanOutAt(members: ReadonlySet<ClientConnection>, roomId: string, message: string, binary: boolean, position: HistoryPosition): number {
    // Each frame built once, and only if some member needs it.
    let plain: Buffer | undefined;
    let positioned: Buffer | undefined;
    const holding = this.holds.size > 0;
    for (const member of members) {
      if (member.positions) {
        positioned ??= textFrame(publicationEnvelope(roomId, position.offset, position.epoch, message, binary));
        if (!holding || !this.holds.hold(member, roomId, position, positioned)) this.deliver(member, positioned, true);
      } else this.deliver(member, (plain ??= messageFrame(message, binary)), true);
    }
    this.ctx.metrics.fanoutDeliveries += members.size;
    return members.size;
  }

  toConnection(clientId: string, message: string, binary: boolean): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    this.deliver(client, messageFrame(message, binary));
    return true;
  }

  broadcast(message: string, binary: boolean): number {
    const count = this.clients.size;
    if (count === 0) return 0;
    const frame = messageFrame(message, binary);
    for (const client of this.clients.values()) this.deliver(client, frame, true);
    this.ctx.metrics.fanoutDeliveries += count;
    return count;
  }

  join(clientId: string, roomId: string): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    if (this.rooms.join(client, roomId) && client.positions) this.sessionHooks?.joined(client, roomId);
    return true;
  }

  leave(clientId: string, roomId: string): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    if (this.rooms.leave(client, roomId) && client.positions) this.sessionHooks?.left(client, roomId);
    return true;
  }

  disconnect(clientId: string, code: number, reason: string): boolean {
    const client = this.clients.get(clientId);
    if (client === undefined) return false;
    // A backend's frames act in order: what it sent this client before the disconnect goes out first.
    this.outbox.forget(client.flush());
    this.drop(client, code, reason, 'close');
    return true;
  }

  disconnectAll(code: number, reason: string): number {
    const clients = this.all();
    for (const client of clients) this.disconnect(client.id, code, reason);
    return clients.length;
  }

  members(roomId: string): MemberInfo[] {
    const members: MemberInfo[] = [];
    for (const m of this.rooms.members(roomId) ?? []) members.push({ clientId: m.id, metadata: m.metadata });
    return members;
  }

  has(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  /** The local client of this id, if it is connected here. */
  get(clientId: string): ClientConnection | undefined {
    return this.clients.get(clientId);
  }
}

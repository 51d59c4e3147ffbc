// Holes in a room's live messages on this broker, filled from the shared history (cluster mode): what
// was published while this broker's subscription was away never arrived, and its clients must not
// see the offsets jump.
import type { Logger } from 'pino';
import type { HistoryPosition, LostReason, SharedHistoryStore, SinceResult } from '../core/history-store.js';
import { RateLimitedLog } from '../logger.js';
import type { ClientRegistry } from './client-registry.js';
import { MAX_HELD_FRAMES } from './room-holds.js';
import { HISTORY_UNAVAILABLE_CLOSE_CODE } from './shared-recovery.js';
import { envelopeFrame } from './ws-frames.js';

/** A live message that came while its room's repair read was in flight. */
interface HeldMessage {
  message: string;
  binary: boolean;
  position: HistoryPosition;
}

/** Where a room's live messages stand on this broker. */
interface RoomCursor {
  /** The last message fanned out here. */
  offset: number;
  epoch: string;
  /** Live messages held while a repair read is in flight; undefined when none is. */
  held: HeldMessage[] | undefined;
  /** The last live message's position once more came than a hold keeps. */
  overflowAt: HistoryPosition | undefined;
  /** The subscription came back while a read was in flight: read once more after it. */
  again: boolean;
}

/** What the repair does to the room's local members. */
export interface GapRepairTarget {
  /** Fans a message out to the room's local members (with its position to those that asked for positions). */
  fanOut(roomId: string, message: string, binary: boolean, position: HistoryPosition): void;
  /** Tells the members that asked for positions that what they missed cannot be had (`unrecoverable`). */
  unrecoverable(roomId: string, position: HistoryPosition, reason: LostReason): void;
  /** The read failed (Redis away): those members are closed and recover themselves when they reconnect. */
  unavailable(roomId: string): void;
}

/** What a repair reads from and acts on. */
export interface GapRepairDeps {
  readonly shared: SharedHistoryStore;
  /** Messages one read may bring (the broker's `maxRecoveryMessages`); past it the clients are told `too_many`. */
  readonly maxRecovery: number;
  readonly target: GapRepairTarget;
  readonly logger: Logger;
}

/** Counters of /metrics. */
export interface GapRepairCounts {
  /** Reads of a room's stream for a hole (or to check for one after a resubscribe). */
  repairs: number;
  /** Messages fanned out from those reads. */
  replayed: number;
  /** Holes that could not be filled (trimmed, another epoch, too many): the clients were told `unrecoverable`. */
  unrepairable: number;
  /** Reads that failed. */
  failed: number;
}

/**
 * Per room with local members, the last offset and epoch fanned out here. A message that is not
 * the next one (a hole), or the subscription coming back (`missed`), starts one read of the room's
 * stream after that offset (bounded by `maxRecovery`); the room's live messages are held
 * meanwhile, then fanned out after what was read, with nothing twice. The normal path costs one
 * Map lookup and one comparison per message.
 */
export class RoomGapRepair {
  readonly counts: GapRepairCounts = { repairs: 0, replayed: 0, unrepairable: 0, failed: 0 };
  private readonly rooms = new Map<string, RoomCursor>();
  private readonly log = new RateLimitedLog(5_000);

  private readonly shared: SharedHistoryStore;
  private readonly maxRecovery: number;
  private readonly target: GapRepairTarget;
  private readonly logger: Logger;

  constructor(deps: GapRepairDeps) {
    ({ shared: this.shared, maxRecovery: this.maxRecovery, target: this.target, logger: this.logger } = deps);
  }

  /** Rooms followed now. */
  get size(): number {
    return this.rooms.size;
  }

  /** True when the message is the room's next one (the caller fans it out now); false when it was held, or went out already. */
  next(roomId: string, message: string, binary: boolean, position: HistoryPosition): boolean {
    const cursor = this.rooms.get(roomId);
    if (cursor === undefined) {
      // The first message here: a joining client's own position or recovery covers what came before.
      this.baseline(roomId, position);
      return true;
    }
    if (cursor.held === undefined) {
      if (position.offset === cursor.offset + 1 && position.epoch === cursor.epoch) {
        cursor.offset = position.offset;
        return true;
      }
      // Read by a repair before it came live.
      if (position.epoch === cursor.epoch && position.offset <= cursor.offset) return false;
      this.repair(roomId, cursor);
    }
    hold(cursor, { message, binary, position });
    return false;
  }

  /**
   * A client's own recovery or position read found the room at `position`: where the room starts
   * here when no live message came yet, so a hole before the first one is seen too. The first such
   * read counts (a later one further on means what lies between never came live).
   */
  baseline(roomId: string, position: HistoryPosition): void {
    if (position.epoch === '' || this.rooms.has(roomId)) return;
    this.rooms.set(roomId, { offset: position.offset, epoch: position.epoch, held: undefined, overflowAt: undefined, again: false });
  }

  /** This broker's subscription was lost and is back: every room is read from where it stands. */
  missed(): void {
    for (const [roomId, cursor] of this.rooms) {
      if (cursor.held !== undefined) cursor.again = true;
      else this.repair(roomId, cursor);
    }
  }

  /** The room's last local member left. */
  closed(roomId: string): void {
    this.rooms.delete(roomId);
  }

  private repair(roomId: string, cursor: RoomCursor): void {
    cursor.held = [];
    this.counts.repairs += 1;
    const { offset, epoch } = cursor;
    // In a promise: a store that throws (Redis away) fails the read like one that rejects.
    Promise.resolve()
      .then(() => this.shared.since(roomId, offset, epoch, this.maxRecovery))
      .then(
        (result) => this.read(roomId, cursor, result),
        (error: unknown) => this.failed(roomId, cursor, error),
      );
  }

  private read(roomId: string, cursor: RoomCursor, result: SinceResult): void {
    if (this.rooms.get(roomId) !== cursor) return; // the room closed meanwhile
    const held = cursor.held ?? [];
    cursor.held = undefined;
    if (result.ok) {
      const epoch = result.position.epoch;
      for (const p of result.publications) this.target.fanOut(roomId, p.message, p.binary, { offset: p.offset, epoch });
      this.counts.replayed += result.publications.length;
    } else {
      this.unrepairable(roomId, cursor, result.position, result.reason);
    }
    cursor.offset = result.position.offset;
    cursor.epoch = result.position.epoch;
    // The room has no history in Redis at all (restarted empty): its next message starts the count again.
    if (cursor.epoch === '') this.rooms.delete(roomId);
    const overflowAt = cursor.overflowAt;
    cursor.overflowAt = undefined;
    if (overflowAt !== undefined) {
      // More came meanwhile than a hold keeps: the clients are told, and go on after the last one.
      if (overflowAt.epoch !== cursor.epoch || overflowAt.offset > cursor.offset) {
        this.unrepairable(roomId, cursor, overflowAt, 'too_many');
        cursor.offset = overflowAt.offset;
        cursor.epoch = overflowAt.epoch;
      }
    } else {
      // Through `next` again: what the read covered is skipped, and a hole after it starts another read.
      for (const h of held) if (this.next(roomId, h.message, h.binary, h.position)) this.target.fanOut(roomId, h.message, h.binary, h.position);
    }
    if (cursor.again && cursor.held === undefined && this.rooms.get(roomId) === cursor) {
      cursor.again = false;
      this.repair(roomId, cursor);
    }
  }

  private unrepairable(roomId: string, cursor: RoomCursor, position: HistoryPosition, reason: LostReason): void {
    this.counts.unrepairable += 1;
    const from = { offset: cursor.offset, epoch: cursor.epoch };
    this.log.hit((suppressed) => this.logger.warn({ room: roomId, from, to: position, reason, suppressedSinceLastLog: suppressed }, 'room messages missed by this broker cannot be recovered'));
    this.target.unrecoverable(roomId, position, reason);
  }

  private failed(roomId: string, cursor: RoomCursor, error: unknown): void {
    if (this.rooms.get(roomId) !== cursor) return;
    this.counts.failed += 1;
    this.log.hit((suppressed) => this.logger.warn({ room: roomId, err: (error as Error)?.message ?? String(error), suppressedSinceLastLog: suppressed }, 'room history unreadable: a hole in the room\'s messages was not filled'));
    const held = cursor.held ?? [];
    // Forgotten: the room's next message starts it again.
    this.rooms.delete(roomId);
    this.target.unavailable(roomId);
    // The members that asked for positions are gone; the others get what came meanwhile.
    for (const h of held) this.target.fanOut(roomId, h.message, h.binary, h.position);
  }
}

function hold(cursor: RoomCursor, message: HeldMessage): void {
  const held = cursor.held!;
  if (cursor.overflowAt !== undefined || held.length >= MAX_HELD_FRAMES) cursor.overflowAt = message.position;
  else held.push(message);
}

/** The repair acting on a broker's clients. */
export function registryTarget(registry: ClientRegistry): GapRepairTarget {
  return {
    fanOut: (roomId, message, binary, position) => {
      registry.repairedAt(roomId, message, binary, position);
    },
    unrecoverable: (roomId, position, reason) => {
      const frame = envelopeFrame({ strands: 'unrecoverable', room: roomId, ...position, reason });
      for (const member of registry.membersOf(roomId)) if (member.positions) registry.deliver(member, frame);
    },
    unavailable: (roomId) => {
      // A copy: dropping a member changes the room.
      for (const member of [...registry.membersOf(roomId)]) {
        if (member.positions) registry.drop(member, HISTORY_UNAVAILABLE_CLOSE_CODE, 'room history unavailable', 'close');
      }
    },
  };
}

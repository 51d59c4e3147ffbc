// One accepted WebSocket client: who the backend said it is, its rooms, and its outbound frames.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { LocalClientInfo } from '../core/backplane.js';
import type { EventConsumer, EventOwner } from '../core/consumers.js';
import type { HeldFrames } from './held-frames.js';
import type { InboundRate } from './rate-limit.js';
import type { RoomMember } from './rooms.js';
import { flatCopy } from '../core/text.js';

/**
 * Where a client is in its life: `open` while registered; `closing` once the broker let it go
 * and waits for the close handshake; `closed` once its socket is gone. Only forward.
 */
export type ClientState = 'open' | 'closing' | 'closed';

const STATE_ORDER: Readonly<Record<ClientState, number>> = { open: 0, closing: 1, closed: 2 };

/** Why the broker stops reading a client: it is over its own rate limits, or its backend is behind. */
export type ReadPause = 'rate' | 'backend';

const PAUSE_BIT: Readonly<Record<ReadPause, number>> = { rate: 1, backend: 2 };

/** Metadata with no fields, shared by every client accepted without any (most): one object less per connection. */
const NO_METADATA: Record<string, unknown> = Object.freeze({});

function sharedIfEmpty(metadata: Record<string, unknown>): Record<string, unknown> {
  for (const _field in metadata) return metadata;
  return NO_METADATA;
}

/**
 * Frames for a client wait in `pending` until the outbox flushes it, then go out in one write,
 * straight to the socket. Safe because permessage-deflate is off (the broker never enables it)
 * and the broker sends no Blobs: ws's sender then writes every frame (pings, close) to the
 * socket at once and never holds one back in its queue, so frames cannot be reordered.
 */
export class ClientConnection implements RoomMember, EventOwner {
  rooms: readonly string[] = [];
  /** The backend this client's events go to, so one client's events are handled in order. */
  affinity: EventConsumer | undefined;
  private current: ClientState = 'open';
  /** `{"client_id":...,"room_id":...,"metadata":...}`, encoded once for every event. */
  readonly contextJson: string;
  /** Set when a pong arrives, cleared when a ping goes out. */
  alive = true;
  /** It asked for history positions and a resume token (`strands_session=1`): it gets `pub` envelopes in rooms with history. */
  positions = false;
  /** Set while frames wait in the outbox. */
  dirty = false;
  /** A protocol error ws reported: the close code and reason to report instead of ws's local 1006. */
  protocolError: { code: number; reason: string } | undefined;
  /** Its inbound rate buckets, from its first message when rate limits are on. */
  rate: InboundRate | undefined;
  /** What it sent after its rate pause took effect, waiting for its debt to be paid (clients over their rate only). */
  held: HeldFrames | undefined;
  /** What its backend said about it (one shared object for every client accepted with none). */
  readonly metadata: Record<string, unknown>;
  /** Bits of PAUSE_BIT: why its socket is not read (0: it is). */
  private pausedFor = 0;
  /** Allocated on the first frame: most idle clients never need it. */
  private pending: Buffer[] | undefined;
  private pendingBytes = 0;

  constructor(
    readonly id: string,
    readonly roomId: string,
    metadata: Record<string, unknown>,
    readonly ws: WebSocket,
    readonly socket: Duplex,
    /** The peer address admission control counted this client under. */
    readonly ip = '',
  ) {
    this.metadata = sharedIfEmpty(metadata);
    // Kept for the connection's life: in one piece (see flatCopy).
    this.contextJson = flatCopy(JSON.stringify({ client_id: id, room_id: roomId, metadata }));
  }

  /** Who this client is, as the backplane is told. */
  get info(): LocalClientInfo {
    return { clientId: this.id, roomId: this.roomId, metadata: this.metadata };
  }

  get state(): ClientState {
    return this.current;
  }

  /** True once the client has been removed; later socket events are ignored. */
  get gone(): boolean {
    return this.current !== 'open';
  }

  /** The one place the state changes; it only moves forward. */
  setState(next: ClientState): void {
    if (STATE_ORDER[next] <= STATE_ORDER[this.current]) return;
    this.current = next;
    // A client let go is read again, so that its close frame (the end of the handshake) arrives.
    if (this.pausedFor !== 0) {
      this.pausedFor = 0;
      this.ws.resume();
    }
  }

  /** True while the broker does not read this client (its pongs wait too: the ping sweep spares it). */
  get readPaused(): boolean {
    return this.pausedFor !== 0;
  }

  isPausedFor(why: ReadPause): boolean {
    return (this.pausedFor & PAUSE_BIT[why]) !== 0;
  }

  /** Stops reading the socket for `why` (frames already read may still arrive); the kernel's window then slows the sender. */
  pauseReading(why: ReadPause): void {
    if (this.current !== 'open') return;
    if (this.pausedFor === 0) this.ws.pause();
    this.pausedFor |= PAUSE_BIT[why];
  }

  /** `why` no longer holds; the socket is read again once no other reason does. */
  resumeReading(why: ReadPause): void {
    const bit = PAUSE_BIT[why];
    if ((this.pausedFor & bit) === 0) return;
    this.pausedFor &= ~bit;
    if (this.pausedFor === 0) this.ws.resume();
  }

  /** Bytes written but not yet taken by the kernel, plus bytes waiting for the outbox. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.pendingBytes + this.ws.bufferedAmount;
  }

  /**
   * Adds a frame for the next flush. Returns false, keeping nothing, when bytes from earlier
   * flushes still wait for the client past `limit`: it is not reading, and the caller closes it.
   * Only earlier flushes count, so a burst to a client that keeps up is never mistaken for
   * slowness; memory per client stays under `limit` plus what one flush carries.
   */
  enqueue(frame: Buffer, limit: number): boolean {
    if (this.socket.writableLength > limit) return false;
    (this.pending ??= []).push(frame);
    this.pendingBytes += frame.length;
    return true;
  }

  /** Writes the waiting frames in one write; returns the bytes it took off the queue. */
  flush(): number {
    this.dirty = false;
    const frames = this.pending;
    const bytes = this.pendingBytes;
    if (frames === undefined) return 0;
    this.pending = undefined;
    this.pendingBytes = 0;
    if (this.socket.destroyed || !this.socket.writable) return bytes;
    this.socket.write(frames.length === 1 ? (frames[0] as Buffer) : joined(frames));
    return bytes;
  }

  /** Forgets frames not yet written (the client is being dropped); returns their bytes. */
  discard(): number {
    const bytes = this.pendingBytes;
    this.pending = undefined;
    this.pendingBytes = 0;
    return bytes;
  }
}

// Members of one room get the same frames in the same order: consecutive receivers share one join.
let lastFrames: Buffer[] = [];
let lastJoined: Buffer = Buffer.alloc(0);

/** The frames as one buffer (a single write costs less than a writev of many small ones). */
function joined(frames: Buffer[]): Buffer {
  if (frames.length !== lastFrames.length || !frames.every((frame, i) => frame === lastFrames[i])) {
    lastFrames = frames;
    lastJoined = Buffer.concat(frames);
  }
  return lastJoined;
}

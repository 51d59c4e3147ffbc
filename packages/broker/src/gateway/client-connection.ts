// One accepted WebSocket client: who the backend said it is, its rooms, and its outbound frame buffer.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RoomMember } from '../rooms.js';

/** The backend connection a client's events go to (kept abstract here to avoid an import cycle). */
export interface AffinityTarget {
  readonly alive: boolean;
}

/**
 * Frames for a client are collected during one event-loop turn and written together (one
 * `writev`), straight to the socket: safe because permessage-deflate is off, so ws's own
 * sender never holds a partial frame in its queue.
 */
export class ClientConnection implements RoomMember {
  readonly rooms = new Set<string>();
  /** The backend this client's events go to, so one client's events are handled in order. */
  backend: AffinityTarget | undefined;
  /** `{"client_id":...,"room_id":...,"metadata":...}`, encoded once for every event. */
  readonly contextJson: string;
  /** Set when a pong arrives, cleared when a ping goes out. */
  alive = true;
  /** True once the client has been removed; later socket events are ignored. */
  gone = false;
  /** Set while frames wait for the end of the turn. */
  dirty = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    readonly id: string,
    readonly roomId: string,
    readonly metadata: Record<string, unknown>,
    readonly ws: WebSocket,
    readonly socket: Duplex,
  ) {
    this.contextJson = `{"client_id":${JSON.stringify(id)},"room_id":${JSON.stringify(roomId)},"metadata":${JSON.stringify(metadata)}}`;
  }

  /** Bytes written but not yet taken by the kernel, plus bytes waiting for this turn's flush. */
  get bufferedBytes(): number {
    return this.socket.writableLength + this.pendingBytes + this.ws.bufferedAmount;
  }

  /**
   * Adds a frame for this turn's flush. Returns false, keeping nothing, when bytes from earlier
   * turns still wait for the client past `limit`: it is not reading, and the caller closes it.
   * Only earlier turns count, so a burst to a client that keeps up is never mistaken for slowness;
   * memory per client stays under `limit` plus one turn's frames.
   */
  enqueue(frame: Buffer, limit: number): boolean {
    if (this.socket.writableLength > limit) return false;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    return true;
  }

  /** Writes this turn's frames in one go. */
  flush(): void {
    this.dirty = false;
    const frames = this.pending;
    if (frames.length === 0) return;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.socket.destroyed || !this.socket.writable) return;
    if (frames.length === 1) {
      this.socket.write(frames[0] as Buffer);
      return;
    }
    this.socket.cork();
    for (const frame of frames) this.socket.write(frame);
    this.socket.uncork();
  }

  /** Forgets frames not yet written (the client is being dropped). */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Collects clients with frames pending and flushes them all once per event-loop turn. */
export class ClientOutbox {
  private dirty: ClientConnection[] = [];
  private scheduled = false;
  private readonly run = (): void => this.flush();

  /** Marks a client as having frames pending. */
  touch(client: ClientConnection): void {
    if (client.dirty) return;
    client.dirty = true;
    this.dirty.push(client);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Writes every pending frame now. */
  flush(): void {
    this.scheduled = false;
    const clients = this.dirty;
    this.dirty = [];
    for (const client of clients) client.flush();
  }
}

// This node's clients and the rooms each is in, as presence in Redis must show them: the truth the refresh re-writes.

/** One local client: its metadata, and when it joined each of its rooms. */
export interface LocalMember {
  readonly clientId: string;
  readonly metadata: Record<string, unknown>;
  /** `metadata` as JSON, encoded once for every presence entry of the client. */
  readonly metadataJson: string;
  /** roomId → join time (ms), the `since` of its presence entries. */
  readonly rooms: Map<string, number>;
}

/**
 * The clients connected here, from `clientAttached` to `clientDetached`, with their rooms (the
 * room they connected with, then every join and leave).
 */
export class LocalMemberships {
  private readonly clients = new Map<string, LocalMember>();
  private roomCount = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Connected clients. */
  get size(): number {
    return this.clients.size;
  }

  /** Memberships (client, room) in all. */
  get memberships(): number {
    return this.roomCount;
  }

  get(clientId: string): LocalMember | undefined {
    return this.clients.get(clientId);
  }

  /** A client was accepted here, in `roomId`; a previous record with that id (a replaced connection) is dropped first. */
  attached(clientId: string, roomId: string, metadata: Record<string, unknown>): LocalMember {
    this.detached(clientId);
    const member: LocalMember = { clientId, metadata, metadataJson: JSON.stringify(metadata), rooms: new Map([[roomId, this.now()]]) };
    this.clients.set(clientId, member);
    this.roomCount += 1;
    return member;
  }

  /** Removes a client; returns its record (with its rooms) or undefined when it was not here. */
  detached(clientId: string): LocalMember | undefined {
    const member = this.clients.get(clientId);
    if (member === undefined) return undefined;
    this.clients.delete(clientId);
    this.roomCount -= member.rooms.size;
    return member;
  }

  /** A local client joined a room; returns its record, or undefined when the client is unknown or already there. */
  joined(clientId: string, roomId: string): LocalMember | undefined {
    const member = this.clients.get(clientId);
    if (member === undefined || member.rooms.has(roomId)) return undefined;
    member.rooms.set(roomId, this.now());
    this.roomCount += 1;
    return member;
  }

  /** A local client left a room; true when it was there. */
  left(clientId: string, roomId: string): boolean {
    const member = this.clients.get(clientId);
    if (member === undefined || !member.rooms.delete(roomId)) return false;
    this.roomCount -= 1;
    return true;
  }

  /** Every local client. */
  all(): IterableIterator<LocalMember> {
    return this.clients.values();
  }

  clear(): void {
    this.clients.clear();
    this.roomCount = 0;
  }
}

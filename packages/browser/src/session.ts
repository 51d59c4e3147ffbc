// Room history on the client: the last offset and epoch seen per room, the resume token, and the
// broker's session envelopes (`session`, `position`, `pub`, `recovered`, `unrecoverable`) read.

/** Why missed messages of a room cannot be replayed: the application reloads that room's state. */
export type RecoveryFailure = 'epoch' | 'trimmed' | 'too_many' | 'no_history' | 'not_in_room';

/** The session events of a client (see `ClientEvents`). */
export interface SessionEvents {
  /** The broker gave this connection its client id; `resumed`: the previous session (id and rooms) goes on. */
  session: { clientId: string; resumed: boolean };
  /** What this client missed in `room` while away came, in order (`replayed` messages), before any live one. */
  recovered: { room: string; replayed: number };
  /** What this client missed in `room` cannot be had (nothing of it was replayed): reload the room's state. */
  recovery_failed: { room: string; reason: RecoveryFailure };
}

/** What the client does with one of these envelopes: emit a session event, or pass a room message on. */
export type SessionOutcome =
  | { [K in keyof SessionEvents]: { event: K; payload: SessionEvents[K] } }[keyof SessionEvents]
  | { message: string | ArrayBuffer }
  | undefined;

interface Envelope {
  strands: string;
  room: string;
  offset: number;
  epoch: string;
  data: string;
  binary?: boolean;
  client_id: string;
  token: string;
  resumed: boolean;
  replayed: number;
  reason: RecoveryFailure;
}

const KINDS = ['pub', 'session', 'position', 'recovered', 'unrecoverable'];

function bytes(base64: string): ArrayBuffer {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out.buffer;
}

/** What the client asks of its session: the URL of each new socket, and a reading of each text message. */
export interface SessionLayer {
  url(url: string): string;
  /** undefined: not a session envelope (an ordinary message); null: nothing to pass on. */
  read(text: string, first: boolean): SessionOutcome | null;
}

/** Per client: where it is in each room with history, and its token, carried from one socket to the next. */
export class Session implements SessionLayer {
  private token = '';
  private readonly rooms = new Map<string, [offset: number, epoch: string]>();

  /** `url` with the session params: asks for positions, resumes with the token, recovers each room. */
  url(url: string): string {
    let query = 'strands_session=1';
    if (this.token) query += `&strands_resume=${encodeURIComponent(this.token)}`;
    if (this.rooms.size) query += `&strands_recover=${encodeURIComponent(JSON.stringify([...this.rooms].map(([room, at]) => [room, ...at])))}`;
    return url + (url.includes('?') ? '&' : '?') + query;
  }

  /**
   * Reads a text message: undefined when it is not a session envelope; a room message already
   * seen (same epoch, offset not past the last) is dropped (`message` undefined, no event).
   */
  read(text: string, first: boolean): SessionOutcome | null {
    if (!text.startsWith('{"strands":"')) return undefined;
    let e: Envelope;
    try {
      e = JSON.parse(text) as Envelope;
    } catch {
      return undefined;
    }
    if (!KINDS.includes(e.strands)) return undefined;
    if (e.strands === 'session') {
      this.token = e.token;
      return first ? { event: 'session', payload: { clientId: e.client_id, resumed: e.resumed } } : null;
    }
    const at = this.rooms.get(e.room);
    if (e.strands === 'pub' && at !== undefined && at[1] === e.epoch && e.offset <= at[0]) return null;
    this.rooms.set(e.room, [e.offset, e.epoch]);
    if (e.strands === 'pub') return { message: e.binary ? bytes(e.data) : e.data };
    if (e.strands === 'recovered') return { event: 'recovered', payload: { room: e.room, replayed: e.replayed } };
    if (e.strands === 'unrecoverable') return { event: 'recovery_failed', payload: { room: e.room, reason: e.reason } };
    return null;
  }
}

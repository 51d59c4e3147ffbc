// Resume tokens: proof that this broker (or one sharing its secret) gave a client id, and the rooms it was in, to this client, recently.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 18;

/** Rooms a token lists at most; a session in more resumes on another broker with the rooms of its connection decision only. */
export const MAX_TOKEN_ROOMS = 100;

/** Bytes of the rooms' JSON a token carries at most (it travels in an upgrade's URL); past it, as past MAX_TOKEN_ROOMS. */
export const MAX_TOKEN_ROOMS_BYTES = 2048;

/** What a valid token proves. */
export interface ResumeClaim {
  clientId: string;
  /** The rooms the client was in when the token was issued; empty when there were too many to list. */
  rooms: readonly string[];
}

const EXPIRY_FIELD = /^([0-9a-z]+)(?:~([A-Za-z0-9_-]+))?$/;

/**
 * `<client id, base64url>.<expiry ms, base36>[~<rooms JSON, base64url>].<HMAC-SHA256 of all before
 * the last dot, cut to 18 bytes, base64url>`. Nobody can resume another client's session by
 * guessing its id, nor add a room to a token; a token proves nothing after its expiry. Brokers
 * that share the secret accept each other's tokens.
 *
 * The rooms ride in the expiry field, behind `~`, so that a broker of the previous version (which
 * MACs that field whole and reads the expiry with parseInt, stopping at `~`) still accepts the
 * token, without its rooms, in a cluster that is being upgraded one broker at a time.
 */
export class ResumeTokens {
  constructor(private readonly secret: string) {}

  issue(clientId: string, expiresAt: number, rooms: readonly string[] = []): string {
    const id = Buffer.from(clientId, 'utf8').toString('base64url');
    const listed = roomsField(rooms);
    const expiry = expiresAt.toString(36) + (listed === '' ? '' : `~${listed}`);
    return `${id}.${expiry}.${this.mac(id, expiry).toString('base64url')}`;
  }

  /** What a token proves, or undefined when it is forged, malformed or expired. */
  verify(token: string, now: number): ResumeClaim | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [id, expiry, mac] = parts as [string, string, string];
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(id, expiry))) return undefined;
    const field = EXPIRY_FIELD.exec(expiry);
    if (field === null) return undefined;
    const expiresAt = parseInt(field[1]!, 36);
    if (!Number.isSafeInteger(expiresAt) || expiresAt < now) return undefined;
    const clientId = Buffer.from(id, 'base64url').toString('utf8');
    if (clientId === '') return undefined;
    const rooms = field[2] === undefined ? [] : readRooms(field[2]);
    return rooms === undefined ? undefined : { clientId, rooms };
  }

  private mac(id: string, expiry: string): Buffer {
    return createHmac('sha256', this.secret).update(`${id}.${expiry}`).digest().subarray(0, MAC_BYTES);
  }
}

/** The rooms as the token carries them; '' when there are none or more than the caps allow. */
function roomsField(rooms: readonly string[]): string {
  if (rooms.length === 0 || rooms.length > MAX_TOKEN_ROOMS) return '';
  const json = Buffer.from(JSON.stringify(rooms), 'utf8');
  return json.length > MAX_TOKEN_ROOMS_BYTES ? '' : json.toString('base64url');
}

/** Only a broker with the secret wrote this field, so anything but a list of strings is refused whole. */
function readRooms(field: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(field, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_TOKEN_ROOMS || !parsed.every((r) => typeof r === 'string')) return undefined;
  return parsed as string[];
}

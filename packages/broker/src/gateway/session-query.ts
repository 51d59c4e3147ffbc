// The session params of an upgrade's query: does the client want positions, its resume token, where it was in each room.
import { SESSION_QUERY } from '@strands/protocol/wire';
import type { RecoveryRequest } from '../core/history.js';

/** What a client that asked for a session (`strands_session=1`) brought. */
export interface SessionRequest {
  token: string | undefined;
  recover: RecoveryRequest[];
}

/** Rooms one upgrade may ask to recover; more are ignored (a query is no place for thousands). */
export const MAX_RECOVER_ROOMS = 100;

/** The session request of an upgrade's URL, or undefined for a client that asked for none. */
export function readSessionQuery(url: string | undefined): SessionRequest | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q === -1 || !url.includes(SESSION_QUERY.session, q)) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  if (params.get(SESSION_QUERY.session) !== '1') return undefined;
  return { token: params.get(SESSION_QUERY.resume) ?? undefined, recover: readRecover(params.get(SESSION_QUERY.recover)) };
}

/** `[[room, offset, epoch], ...]`; anything malformed is left out (that room is simply not recovered). */
function readRecover(text: string | null): RecoveryRequest[] {
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: RecoveryRequest[] = [];
  for (const item of parsed.slice(0, MAX_RECOVER_ROOMS)) {
    if (!Array.isArray(item) || item.length !== 3) continue;
    const [room, offset, epoch] = item as unknown[];
    if (typeof room !== 'string' || typeof epoch !== 'string' || !Number.isSafeInteger(offset) || (offset as number) < 0) continue;
    out.push({ room, offset: offset as number, epoch });
  }
  return out;
}

// Who a connecting client is: id, display name and role, read from its connection request
// (query for browsers, which cannot set headers; headers for other clients), or why it is refused.
import { randomUUID } from 'node:crypto';
import type { ConnectionRequest } from '@strands/backend';
import { roomFromPath } from '@strands/example-shared';
import type { User } from './messages.js';

/** What the backend answers about a connecting client. */
export type Admission =
  | { accept: true; user: User; room: string }
  | { accept: false; status: number; reason: string };

const ID = /^[A-Za-z0-9_-]{1,64}$/;
// No spaces, so that `@name text` reads unambiguously.
const NAME = /^[\p{L}\p{N}_.-]{1,24}$/u;

/**
 * Decides on a connection request.
 * - id: `?id=` or `X-Client-Id` (letters, digits, `-`, `_`; at most 64), else a random UUID;
 * - name: `?name=` or `X-Name` (at most 24 letters, digits, `_`, `.`, `-`), else `guest-xxxx`;
 * - role: `admin` with `?token=` or `Authorization: Bearer` equal to `adminToken`, `member`
 *   without a token; any other token is refused (401 "invalid token");
 * - room: the last path segment (`lobby` for none).
 * A name held by another client id is refused (409), so that `@name` finds one person.
 */
export function admit(
  request: Pick<ConnectionRequest, 'path' | 'query' | 'header'>,
  adminToken: string,
  nameHolder: (name: string) => string | undefined,
): Admission {
  const id = first(request.query.id) ?? request.header('x-client-id') ?? randomUUID();
  if (!ID.test(id)) return { accept: false, status: 400, reason: 'the client id must be 1-64 letters, digits, - or _' };
  const name = (first(request.query.name) ?? request.header('x-name') ?? `guest-${id.slice(0, 4)}`).trim();
  if (!NAME.test(name)) return { accept: false, status: 400, reason: 'the name must be 1-24 letters, digits, _, . or - (no spaces)' };
  const bearer = /^Bearer\s+(.+)$/i.exec(request.header('authorization') ?? '')?.[1];
  const token = first(request.query.token) ?? bearer;
  let role: User['role'] = 'member';
  if (token !== undefined && token !== '') {
    if (token !== adminToken) return { accept: false, status: 401, reason: 'invalid token' };
    role = 'admin';
  }
  const holder = nameHolder(name);
  if (holder !== undefined && holder !== id) return { accept: false, status: 409, reason: `the name "${name}" is taken` };
  return { accept: true, user: { id, name, role }, room: roomFromPath(request.path) };
}

function first(values: readonly string[] | undefined): string | undefined {
  return values?.[0];
}

// What a connection request carries (headers as Go spells them, path, query, peer address), and HTTP refusals.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STRANDS_REFUSAL_SUBPROTOCOL, STRANDS_SUBPROTOCOL } from '@strands/protocol/wire';
import type { ConnectionRequestParams } from '../core/decisions.js';

export { STRANDS_REFUSAL_SUBPROTOCOL, STRANDS_SUBPROTOCOL };

/** Query params the broker reads itself (see `SESSION_QUERY`) and does not pass to backends. */
const SESSION_PARAM_PREFIX = 'strands_';

/** Requests being upgraded only to be closed with a refusal code. */
const refusing = new WeakSet<IncomingMessage>();

/** Marks `req` as upgraded only to carry a refusal. */
export function markRefusal(req: IncomingMessage): void {
  refusing.add(req);
}

/** ws's `handleProtocols`: `strands.v1` when accepted, the refusal protocol when refused and offered. */
export function selectProtocol(offered: Set<string>, req: IncomingMessage): string | false {
  if (refusing.has(req) && offered.has(STRANDS_REFUSAL_SUBPROTOCOL)) return STRANDS_REFUSAL_SUBPROTOCOL;
  return offered.has(STRANDS_SUBPROTOCOL) ? STRANDS_SUBPROTOCOL : false;
}

/**
 * Header names seen, spelled canonically. Every upgrade sends the same few, and a name built
 * anew per request (and internalized as a key of the headers object) is old-space garbage in a
 * burst of upgrades. Names are the client's to choose: past the bound they are spelled each time.
 */
const canonicalNames = new Map<string, string>();
const MAX_CANONICAL_NAMES = 256;

/** `x-client-id` -> `X-Client-Id`, as Go's `textproto.CanonicalMIMEHeaderKey` spells header names. */
export function canonicalHeaderName(name: string): string {
  const known = canonicalNames.get(name);
  if (known !== undefined) return known;
  const spelled = spellCanonically(name);
  if (canonicalNames.size < MAX_CANONICAL_NAMES) canonicalNames.set(name, spelled);
  return spelled;
}

function spellCanonically(name: string): string {
  let out = '';
  let upper = true;
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** Everything the backend is told about an upgrade request. */
export function connectionRequestParams(req: IncomingMessage): ConnectionRequestParams {
  const headers: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  // rawHeaders keeps each header line, so repeated headers become lists of values like Go's http.Header.
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonicalHeaderName(raw[i] as string);
    (headers[name] ??= []).push(raw[i + 1] as string);
  }
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query: Record<string, string[]> = {};
  if (q !== -1) {
    for (const [key, value] of new URLSearchParams(target.slice(q + 1))) {
      // The broker's own session params (resume token, positions) are none of the backend's business.
      if (!key.startsWith(SESSION_PARAM_PREFIX)) (query[key] ??= []).push(value);
    }
  }
  return { headers, url: safeDecodePath(path), remote_addr: remoteAddress(req.socket), query };
}

function safeDecodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** `ip:port`, with IPv4-mapped IPv6 addresses shown as IPv4 and IPv6 in brackets, as Go prints them. */
export function remoteAddress(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  let address = socket.remoteAddress ?? '';
  if (address.startsWith('::ffff:') && address.includes('.')) address = address.slice(7);
  const host = address.includes(':') ? `[${address}]` : address;
  return `${host}:${socket.remotePort ?? 0}`;
}

/** True when the client offered the `strands.v1` subprotocol. */
export function offersStrandsProtocol(req: IncomingMessage): boolean {
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return false;
  return header.split(',').some((p) => p.trim() === STRANDS_SUBPROTOCOL);
}

/** True for a request ws can upgrade (checked before asking a backend, so garbage costs the backend nothing). */
export function isValidUpgrade(req: IncomingMessage): boolean {
  const key = req.headers['sec-websocket-key'];
  return (
    req.method === 'GET' &&
    req.headers.upgrade?.toLowerCase() === 'websocket' &&
    typeof key === 'string' &&
    /^[+/0-9A-Za-z]{22}==$/.test(key) &&
    (req.headers['sec-websocket-version'] === '13' || req.headers['sec-websocket-version'] === '8')
  );
}

/** Answers an upgrade with a plain HTTP status and closes the socket. */
export function refuseWithStatus(socket: Duplex, status: number, reason: string, extraHeaders: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = reason === '' ? (STATUS_CODES[status] ?? 'Error') : reason;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  for (const [name, value] of Object.entries(extraHeaders)) lines.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

// What each client message does: room chat, `@name` DMs, admin `/announce`, typing notices,
// and a clear `error` reply to the sender for anything it cannot use.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, StrandsBackend } from '@strands/backend';
import type { RoomHistory } from './history.js';
import { CLIENT_MESSAGE_TYPES, ClientMessageSchema, type ReplyErrorCode, type ServerMessage, type User } from './messages.js';
import type { Presence } from './presence.js';

/** What the handler works with. */
export interface ChatServices {
  backend: StrandsBackend;
  presence: Presence;
  history: RoomHistory;
}

/** The user a client was admitted as (its metadata holds name and role). */
export function userOf(client: IncomingMessage['client']): User {
  const { name, role } = client.metadata;
  return {
    id: client.clientId,
    name: typeof name === 'string' ? name : client.clientId,
    role: role === 'admin' ? 'admin' : 'member',
  };
}

/** Handles one client message; every failure is answered to the sender only. */
export async function handleMessage(services: ChatServices, message: IncomingMessage): Promise<void> {
  const fail = (code: ReplyErrorCode, text: string): Promise<void> => message.replyJson({ type: 'error', code, message: text } satisfies ServerMessage);
  if (message.isBinary) return fail('bad_message', 'binary messages are not supported; send JSON text');
  let value: unknown;
  try {
    value = message.json();
  } catch {
    return fail('bad_json', 'messages must be JSON, e.g. {"type":"chat","text":"hello"}');
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (!(CLIENT_MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    return fail('unknown_type', `"type" must be one of ${CLIENT_MESSAGE_TYPES.join(', ')} (got ${JSON.stringify(type) ?? 'nothing'})`);
  }
  const parsed = ClientMessageSchema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    return fail('bad_message', `invalid ${String(type)} message: ${details}`);
  }
  const from = userOf(message.client);
  const room = message.client.roomId;
  const { backend } = services;
  if (parsed.data.type === 'typing') {
    return backend.sendJsonToRoom(room, { type: 'typing', room, from } satisfies ServerMessage);
  }
  const text = parsed.data.text;
  const at = Date.now();
  if (text.startsWith('@')) {
    const [, name = '', body = ''] = /^@(\S*)\s*([\s\S]*)$/.exec(text) ?? [];
    if (name === '' || body.trim() === '') return fail('bad_message', 'a private message reads "@name text"');
    const to = services.presence.findByName(name);
    if (to === undefined) return fail('no_such_user', `no one called "${name}" is here`);
    const dm = JSON.stringify({ type: 'dm', id: randomUUID(), from, to, text: body.trim(), at } satisfies ServerMessage);
    await backend.sendToConnection(to.id, dm);
    if (to.id !== from.id) await backend.sendToConnection(from.id, dm);
    return;
  }
  if (text.startsWith('/')) {
    const [, command = '', body = ''] = /^\/(\S*)\s*([\s\S]*)$/.exec(text) ?? [];
    if (command !== 'announce') return fail('unknown_command', `unknown command "/${command}" (the backend knows /announce)`);
    if (from.role !== 'admin') return fail('forbidden', 'only admins may /announce');
    if (body.trim() === '') return fail('bad_message', 'an announcement reads "/announce text"');
    return backend.broadcastJson({ type: 'announce', id: randomUUID(), from, text: body.trim(), at } satisfies ServerMessage);
  }
  const line = { type: 'chat', id: randomUUID(), room, from, text, at } as const;
  services.history.add(line);
  return backend.sendJsonToRoom(room, line satisfies ServerMessage);
}

// The chat's message protocol: JSON objects with a `type`, shared by the backend and the page.
// Clients send `chat` and `typing`; everything else travels from the backend to clients.
import { z } from 'zod';
import type { RoomMembersSchema, ROLES, UserSchema } from './contract.js';

/** Longest chat text, in characters. */
export const MAX_TEXT_LENGTH = 2000;

export { ROLES } from './contract.js';
export type Role = (typeof ROLES)[number];

/** Someone in the chat, as every message names them (the schema lives with the contract). */
export type User = z.infer<typeof UserSchema>;

/** Who is in a room (the answer of `room.who`, an item of `room.presence`). */
export type RoomMembers = z.infer<typeof RoomMembersSchema>;

/** What clients may send. `chat` text may be `@name text` (a DM) or `/announce text` (admins). */
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('chat'), text: z.string().trim().min(1).max(MAX_TEXT_LENGTH) }),
  z.object({ type: z.literal('typing') }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export const CLIENT_MESSAGE_TYPES = ['chat', 'typing'] as const;

/** Codes of `error` replies, stable for clients to branch on (documented in the README). */
export const REPLY_ERROR_CODES = [
  'bad_json',
  'bad_message',
  'unknown_type',
  'unknown_command',
  'forbidden',
  'no_such_user',
] as const;
export type ReplyErrorCode = (typeof REPLY_ERROR_CODES)[number];

/** A room message; the last ones of each room are kept as its history. */
export interface ChatLine {
  type: 'chat';
  id: string;
  room: string;
  from: User;
  text: string;
  /** When the backend received it, in ms since the epoch. */
  at: number;
}

/** Everything the backend sends to clients. */
// `history` is the first message of every connection (who you are, the room's last lines, oldest
// first); a `dm` goes to its target and back to its sender; an `announce` to every client in every
// room; an `error` to the sender alone, whose message then had no other effect.
export type ServerMessage =
  | ChatLine
  | { type: 'history'; room: string; you: User; messages: ChatLine[] }
  | { type: 'dm'; id: string; from: User; to: User; text: string; at: number }
  | { type: 'announce'; id: string; from: User; text: string; at: number }
  | { type: 'typing'; room: string; from: User }
  | { type: 'join' | 'leave'; room: string; user: User; at: number }
  | { type: 'error'; code: ReplyErrorCode; message: string };

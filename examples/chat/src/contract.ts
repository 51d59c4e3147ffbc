// The chat's reactive routes, shared by the backend (which serves them) and the page (which calls
// them with typed, validated results). Written with zod/mini: the page bundles these schemas, and
// zod/mini tree-shakes to a few KB where zod's classic API costs ~95 KB gzipped.
import { defineContract, route } from '@strands/protocol';
import * as z from 'zod/mini';

export const ROLES = ['admin', 'member'] as const;

/** Someone in the chat, as every message names them. */
export const UserSchema = z.object({ id: z.string(), name: z.string(), role: z.enum(ROLES) });

/** Who is in a room (the answer of `room.who`, an item of `room.presence`). */
export const RoomMembersSchema = z.object({ room: z.string(), members: z.array(UserSchema) });

/** Longest private message, in characters (as a chat text). */
const MAX_CONTENT_LENGTH = 2000;

/** A private message: to `user` when sent (`message`), from `user` when received (`messages.incoming`). */
export const PrivateMessageSchema = z.object({
  user: z.string().check(z.minLength(1), z.maxLength(24)),
  content: z.string().check(z.minLength(1), z.maxLength(MAX_CONTENT_LENGTH)),
});
export type PrivateMessage = z.infer<typeof PrivateMessageSchema>;

export const chatContract = defineContract({
  /** Who is in a room now: the caller's room, or `room` when given. */
  'room.who': route.response(z.object({ room: z.optional(z.string().check(z.minLength(1))) }), RoomMembersSchema),
  /** Who is in the caller's room: the list now, then again after every join or leave. */
  'room.presence': route.stream(z.object({}), RoomMembersSchema),
  /**
   * A private message to `user` (a name, in any room): resolves with the recipient's name once their
   * queue took it; `not_found` for a name nobody connected has, `limit_exceeded` for a full queue.
   */
  message: route.response(PrivateMessageSchema, z.object({ user: z.string() })),
  /** The private messages sent to the caller, `{ user: sender, content }`, as they arrive. */
  'messages.incoming': route.stream(z.object({}), PrivateMessageSchema),
});
export type ChatContract = typeof chatContract;

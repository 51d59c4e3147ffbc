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

export const chatContract = defineContract({
  /** Who is in a room now: the caller's room, or `room` when given. */
  'room.who': route.response(z.object({ room: z.optional(z.string().check(z.minLength(1))) }), RoomMembersSchema),
  /** Who is in the caller's room: the list now, then again after every join or leave. */
  'room.presence': route.stream(z.object({}), RoomMembersSchema),
});
export type ChatContract = typeof chatContract;

// The chat's reactive routes, shared by the backend (which serves them) and the page (which calls
// them with typed, validated results).
import { defineContract, route } from '@strands/protocol';
import { z } from 'zod';
import { RoomMembersSchema } from './messages.js';

export const chatContract = defineContract({
  /** Who is in a room now: the caller's room, or `room` when given. */
  'room.who': route.response(z.object({ room: z.string().min(1).optional() }), RoomMembersSchema),
  /** Who is in the caller's room: the list now, then again after every join or leave. */
  'room.presence': route.stream(z.object({}), RoomMembersSchema),
});
export type ChatContract = typeof chatContract;

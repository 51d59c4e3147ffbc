// The reactive routes of the chat contract, served from presence.
import { createRouter, type Router } from '@strands/backend';
import { chatContract, type ChatContract } from './contract.js';
import type { Presence } from './presence.js';

/** A router for {@link chatContract}: `room.who` answers once, `room.presence` keeps answering. */
export function createChatRouter(presence: Presence): Router<ChatContract> {
  return createRouter(chatContract)
    .response('room.who', ({ room }, { client }) => presence.members(room ?? client.roomId))
    .stream('room.presence', (_input, { client, signal }) => presence.watch(client.roomId, signal));
}

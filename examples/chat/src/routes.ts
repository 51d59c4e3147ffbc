// The reactive routes of the chat contract, served from presence and the private-message queues.
import { createRouter, RouteError, type Router } from '@strands/backend';
import { chatContract, type ChatContract } from './contract.js';
import { userOf } from './handle-message.js';
import type { Presence } from './presence.js';
import type { PrivateInboxes } from './private-messages.js';

/**
 * A router for {@link chatContract}: `room.who` answers once, `room.presence` keeps answering,
 * `message` queues a private message and `messages.incoming` drains the caller's queue.
 */
export function createChatRouter(presence: Presence, inboxes: PrivateInboxes): Router<ChatContract> {
  return createRouter(chatContract)
    .response('room.who', ({ room }, { client }) => presence.members(room ?? client.roomId))
    .stream('room.presence', (_input, { client, signal }) => presence.watch(client.roomId, signal))
    .response('message', ({ user, content }, { client }) => {
      const target = presence.findByName(user);
      if (target === undefined) throw new RouteError(`nobody called "${user}" is connected`, { code: 'not_found' });
      if (!inboxes.deliver(target.id, { user: userOf(client).name, content })) {
        throw new RouteError(`${target.name} has too many unread private messages`, { code: 'limit_exceeded' });
      }
      return { user: target.name };
    })
    .stream('messages.incoming', (_input, { client, signal }) => inboxes.listen(client.clientId, signal));
}

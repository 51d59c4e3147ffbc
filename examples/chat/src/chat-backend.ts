// The chat backend: admits clients, keeps presence and history, announces joins and leaves,
// handles messages, and serves the contract's routes.
import { createBackend, type StrandsBackend } from '@strands/backend';
import { handleMessage, userOf, type ChatServices } from './handle-message.js';
import { ChatHistory } from './broker-history.js';
import { RoomHistory } from './history.js';
import { admit } from './identity.js';
import type { ServerMessage } from './messages.js';
import { listOf, resolveBackendOptions, type ChatBackendOptions } from './options.js';
import { Presence } from './presence.js';
import { PrivateInboxes } from './private-messages.js';
import { createChatRouter } from './routes.js';

/** The chat backend: a Strands backend, and its private-message queues (`privateMessages.producers` for tests). */
export interface ChatBackend extends StrandsBackend {
  readonly privateMessages: PrivateInboxes;
}

/**
 * Creates the chat backend; call `start()` to connect it to the broker and `close()` to stop.
 * @example
 * const chat = createChatBackend({ broker: '127.0.0.1:8081', adminToken: 'secret' });
 * await chat.start();
 */
export function createChatBackend(options: ChatBackendOptions = {}): ChatBackend {
  const o = resolveBackendOptions(options);
  const backend = createBackend({ brokers: listOf(o.broker), name: 'strands-example-chat', logLevel: o.logLevel });
  const services: ChatServices = { backend, presence: new Presence(), history: new RoomHistory(o.historySize) };
  const { presence } = services;
  // The broker's history where it keeps one; the backend's own list only for brokers that do not.
  const history = new ChatHistory(backend, o.historySize, services.history);
  const privateMessages = new PrivateInboxes();

  backend.onConnectionRequest((request) => {
    const admission = admit(request, o.adminToken, (name) => presence.findByName(name)?.id);
    if (!admission.accept) return admission;
    const { user, room } = admission;
    return { accept: true, clientId: user.id, roomId: room, metadata: { name: user.name, role: user.role } };
  });

  backend.onConnect(async (client) => {
    const user = userOf(client);
    const room = client.roomId;
    await history.keep(room);
    await backend.sendJsonToConnection(user.id, { type: 'history', room, you: user, messages: await history.recent(room) } satisfies ServerMessage);
    if (presence.add(room, user)) await backend.sendJsonToRoom(room, { type: 'join', room, user, at: Date.now() } satisfies ServerMessage);
  });

  backend.onDisconnect(async ({ client }) => {
    const user = userOf(client);
    if (presence.remove(client.roomId, user.id)) {
      privateMessages.drop(user.id);
      await backend.sendJsonToRoom(client.roomId, { type: 'leave', room: client.roomId, user, at: Date.now() } satisfies ServerMessage);
    }
  });

  backend.onMessage((message) => handleMessage(services, message));
  backend.use(createChatRouter(presence, privateMessages));
  return Object.assign(backend, { privateMessages });
}

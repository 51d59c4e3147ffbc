// What a message from another node does to this broker's clients, and the answer a request gets.
import { CLOSE_CODES } from '@strands/protocol/wire';
import type { LocalNode } from '../core/backplane.js';
import type { ClusterMessage, ClusterResponse, DetachedMessage, GoodbyeMessage, HeartbeatMessage } from './cluster-messages.js';

/** Close code and reason of a connection replaced by a newer one with the same client id on another broker. */
export const REPLACED_CLOSE_CODE = CLOSE_CODES.replaced;
export const REPLACED_CLOSE_REASON = 'replaced';

/** Close code of the `disconnected` event a survivor sends for each client of a lost node (reason `broker <id> lost`). */
export const LOST_NODE_CLOSE_CODE = 1006;

/** A message that acts on clients (liveness and the directory of other nodes' clients are the backplane's own business). */
export type ClientMessage = Exclude<ClusterMessage, HeartbeatMessage | GoodbyeMessage | DetachedMessage>;

/**
 * Carries out a message's share on the local clients of node `nodeId`; returns the response to
 * send back to the requester, or undefined when the message is not a request.
 */
export function carryOut(local: LocalNode, nodeId: string, message: ClientMessage): ClusterResponse | undefined {
  switch (message.type) {
    case 'room':
      if (message.offset !== undefined && message.epoch !== undefined && local.toRoomAt !== undefined) {
        local.toRoomAt(message.room, message.message, message.binary, { offset: message.offset, epoch: message.epoch });
      } else {
        local.toRoom(message.room, message.message, message.binary);
      }
      return undefined;
    case 'broadcast':
      local.broadcast(message.message, message.binary);
      return undefined;
    case 'direct':
      local.toConnection(message.clientId, message.message, message.binary);
      return undefined;
    case 'attached':
      // One client id, one connection, cluster-wide: the same policy as on one broker.
      if (local.has(message.clientId)) local.disconnect(message.clientId, REPLACED_CLOSE_CODE, REPLACED_CLOSE_REASON);
      return undefined;
    case 'join':
      return done(nodeId, message.requestId, local.join(message.clientId, message.room));
    case 'leave':
      return done(nodeId, message.requestId, local.leave(message.clientId, message.room));
    case 'disconnect':
      return done(nodeId, message.requestId, local.disconnect(message.clientId, message.code, message.reason));
    case 'members':
      return { type: 'members', from: nodeId, requestId: message.requestId, members: local.members(message.room) };
  }
}

function done(from: string, requestId: string, ok: boolean): ClusterResponse {
  return { type: 'done', from, requestId, ok };
}

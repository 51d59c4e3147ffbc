// What a ClusterBackplane does with what other nodes send it: checked, then handed to the part it concerns.
import type { LocalNode } from '../core/backplane.js';
import type { ClusterDiagnostics } from './cluster-diagnostics.js';
import { checkClusterMessage, type ClusterMessage, type HeartbeatMessage } from './cluster-messages.js';
import type { ClusterServices } from './cluster-services.js';
import { checkNodeMessage, type NodeMessage } from './node-messages.js';
import type { NodeRegistry } from './node-registry.js';
import { carryOut } from './remote-commands.js';
import type { RequestTable } from './requests.js';

/** The parts of its backplane that received messages act on. */
export interface InboundContext {
  readonly nodeId: string;
  readonly local: LocalNode;
  readonly registry: NodeRegistry;
  readonly services: ClusterServices;
  readonly requests: RequestTable;
  readonly diagnostics: ClusterDiagnostics;
  /** A peer said goodbye (already out of the registry). */
  lost(nodeId: string): void;
  /** A new peer asked every node for a heartbeat at once. */
  answerHeartbeat(): void;
  sendTo(toNodeId: string, message: NodeMessage): boolean;
  /** A peer says it gave this node up by timeout while it had fence epoch `epoch`. */
  givenUp(from: string, epoch: number): void;
}

/** A node's heartbeat: alive, with this many ready backends, in fence epoch `epoch`; `initial` asks every receiver to answer at once. */
export function heartbeatOf(nodeId: string, backends: number, initial: boolean, epoch: number): HeartbeatMessage {
  const message: HeartbeatMessage = { type: 'heartbeat', from: nodeId, backends, answers: true, bareLines: true, epoch };
  if (initial) message.initial = true;
  return message;
}

/** Notes that `nodeId` is alive (a new peer is logged; one given up by timeout is told, to close the clients reported gone). */
export function seen(ctx: InboundContext, nodeId: string): void {
  if (nodeId === ctx.nodeId || !ctx.registry.seen(nodeId, Date.now())) return;
  ctx.diagnostics.nodeJoined(nodeId);
  const epoch = ctx.registry.takeGivenUp(nodeId);
  if (epoch !== undefined) ctx.sendTo(nodeId, { type: 'givenUp', from: ctx.nodeId, epoch });
}

/** A message published to every node (or a membership request for this one). Malformed and unknown ones are counted and ignored. */
export function receiveClusterMessage(ctx: InboundContext, received: unknown): void {
  const check = checkClusterMessage(received);
  if (check !== 'ok') {
    ctx.diagnostics.unreadable(check, received);
    // A newer peer's message still shows it alive.
    if (check === 'unknown') seen(ctx, (received as { from: string }).from);
    return;
  }
  const message = received as ClusterMessage;
  if (message.from === ctx.nodeId) return;
  if (message.type === 'goodbye') {
    if (ctx.registry.remove(message.from)) ctx.lost(message.from);
    return;
  }
  // Any message shows its sender alive, so a busy peer is never lost between heartbeats.
  seen(ctx, message.from);
  if (message.type === 'heartbeat') {
    if (message.epoch !== undefined && Number.isSafeInteger(message.epoch)) ctx.registry.setEpoch(message.from, message.epoch);
    ctx.services.heartbeat(message);
    if (message.initial === true) ctx.answerHeartbeat();
    return;
  }
  if (message.type === 'detached') return ctx.services.detached(message.from, message.clientId);
  if (message.type === 'attached') ctx.services.attached(message);
  const response = carryOut(ctx.local, ctx.nodeId, message);
  if (response !== undefined) ctx.sendTo(message.from, response);
}

/** A message sent to this node only: replies to its requests go to them, the rest to the services. */
export function receiveNodeMessage(ctx: InboundContext, received: unknown): void {
  const check = checkNodeMessage(received);
  if (check !== 'ok') {
    ctx.diagnostics.unreadable(check, received);
    return;
  }
  const message = received as NodeMessage;
  if (message.from === ctx.nodeId) return;
  seen(ctx, message.from);
  if (message.type === 'done' || message.type === 'members') ctx.requests.reply(message);
  else if (message.type === 'givenUp') ctx.givenUp(message.from, message.epoch);
  else ctx.services.receive(message);
}

// What brokers of a cluster do for each other beyond deliveries: decide connections, take client events, report the clients of a lost node.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { BackplaneEvents, LocalClientInfo } from '../core/backplane.js';
import type { ConnectionDecider } from '../core/decisions.js';
import { disconnectedLine } from '../core/event-lines.js';
import { BrokerStateError } from '../errors.js';
import { ClusterDecider, FORWARD_ALLOWANCE_MS } from './cluster-decider.js';
import type { ClusterDiagnostics } from './cluster-diagnostics.js';
import type { AttachedMessage, HeartbeatMessage } from './cluster-messages.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import { ClientDirectory, reporterOf } from './client-directory.js';
import { EventRelay } from './event-relay.js';
import { ForwardedRequests } from './forwarded-requests.js';
import type { AnswersMessage, CancelMessage, DecideMessage, DecisionMessage, EventsMessage, NodeMessage, RefusedEventsMessage } from './node-messages.js';
import type { NodeRegistry } from './node-registry.js';
import { RelayInbox, RelayedClient } from './relay-inbox.js';
import { RelayReplies } from './relay-replies.js';
import { LOST_NODE_CLOSE_CODE } from './remote-commands.js';

/** What the services keep, for the backplane's stats. */
export interface ServiceSizes {
  /** Peers that announced ready backends. */
  peersWithBackends: number;
  /** Relays open to those peers' backends. */
  relays: number;
  /** Other nodes' clients whose relayed events this node's backends handle. */
  relayedClients: number;
  /** Other nodes' clients in the directory. */
  directoryClients: number;
  /** Connection requests this node forwarded and waits on. */
  forwardedRequests: number;
  /** Connection requests other nodes forwarded here, being decided. */
  decidingForPeers: number;
}

/** What the services need of their backplane. */
export interface ServiceLink {
  readonly nodeId: string;
  readonly options: ResolvedClusterOptions;
  readonly registry: NodeRegistry;
  readonly diagnostics: ClusterDiagnostics;
  /** Sends to one node's inbox; false when it could not be sent (or the backplane is not running). */
  send(toNodeId: string, message: NodeMessage): boolean;
}

/**
 * Everything a ClusterBackplane does with the broker's decider and dispatcher:
 *
 * - connection requests: the gateway's `ClusterDecider` forwards when this broker has no backend,
 *   and requests forwarded here are decided by this broker's own backends (`ForwardedRequests`);
 * - client events: relays to the peers with backends (`EventRelay`, the dispatcher's fallback),
 *   and events relayed here handed to this broker's backends, one owner per client (`RelayInbox`);
 * - lost nodes: a directory of the other nodes' clients, from which one survivor with backends
 *   reports each client of a node lost without a goodbye `disconnected` (1006, `broker <id> lost`).
 */
export class ClusterServices {
  /** Ready backends on this broker, as the broker last said (`backendsChanged`). */
  localBackends = 0;
  readonly relays: EventRelay;
  private readonly inbox: RelayInbox;
  private readonly replies: RelayReplies;
  private readonly directory: ClientDirectory;
  private readonly forwarded: ForwardedRequests;
  private decider: ClusterDecider | undefined;
  private events: BackplaneEvents | undefined;

  constructor(private readonly link: ServiceLink) {
    const { options, diagnostics } = link;
    this.relays = new EventRelay({ nodeId: link.nodeId, send: (to, message) => link.send(to, message) });
    this.replies = new RelayReplies({ nodeId: link.nodeId, send: (to, message) => link.send(to, message) });
    this.inbox = new RelayInbox(
      options.maxRelayedClients,
      () => diagnostics.overBound('relayEvictions', options.maxRelayedClients),
      (node, clientId, code) => this.replies.refused(node, clientId, code, false),
      (node, id, outcome) => this.replies.answered(node, id, outcome),
    );
    this.directory = new ClientDirectory(options.maxDirectoryClients, () =>
      diagnostics.overBound('directoryOverflows', options.maxDirectoryClients),
    );
    this.forwarded = new ForwardedRequests(link.nodeId, options.maxPendingRequests, {
      send: (to, message) => link.send(to, message),
      accepted: (from, clientId, affinity) => this.inbox.accepted(from, clientId, affinity),
    });
  }

  /** The broker's parts: its own decider answers forwarded requests, its dispatcher takes relayed events. */
  bind(events: BackplaneEvents): void {
    this.events = events;
    this.relays.bind(events.dispatcher);
  }

  sizes(): ServiceSizes {
    return {
      peersWithBackends: this.link.registry.withBackends().length,
      relays: this.relays.size,
      relayedClients: this.inbox.size,
      directoryClients: this.directory.size,
      forwardedRequests: this.decider?.forwarding ?? 0,
      decidingForPeers: this.forwarded.size,
    };
  }

  /** Makes the gateway's decider; see `ClusterBackplane.connectionDecider`. */
  connectionDecider(local: ConnectionDecider, connectionRequestTimeoutMs: number): ClusterDecider {
    if (this.decider !== undefined) throw new BrokerStateError('a ClusterBackplane makes one connection decider');
    const link = this.link;
    this.decider = new ClusterDecider(
      {
        nodeId: link.nodeId,
        decidingPeers: () => link.registry.withBackends(),
        send: (to, message) => link.send(to, message),
        relayTo: (nodeId) => this.relays.relayTo(nodeId),
      },
      local,
      connectionRequestTimeoutMs + FORWARD_ALLOWANCE_MS,
    );
    return this.decider;
  }

  /** A peer's heartbeat: the ready backends it announces (none when absent or not a count) open or close its relay. */
  heartbeat(message: HeartbeatMessage): void {
    const { from, backends } = message;
    const count = backends !== undefined && Number.isInteger(backends) && backends > 0 ? backends : 0;
    this.link.registry.setBackends(from, count);
    this.relays.backends(from, count, { answers: message.answers === true, bareLines: message.bareLines === true });
  }

  attached(message: AttachedMessage): void {
    if (message.room === undefined) return;
    this.directory.attached(message.from, { clientId: message.clientId, roomId: message.room, metadata: message.metadata ?? {} });
  }

  detached(nodeId: string, clientId: string): void {
    this.directory.detached(nodeId, clientId);
  }

  /**
   * This broker dropped an event it had accepted (a dead letter): when it is a message of another
   * node's client, that node is told, so that its sender is.
   */
  dropped(owner: object, code: SendRefusalCode, action: string): void {
    if (action === 'new_message' && owner instanceof RelayedClient) this.replies.refused(owner.node, owner.id, code, true);
  }

  /** A node-addressed message other than a response. */
  receive(message: DecideMessage | DecisionMessage | CancelMessage | EventsMessage | RefusedEventsMessage | AnswersMessage): void {
    const events = this.events;
    switch (message.type) {
      case 'decide':
        return this.forwarded.decide(events?.decider, message);
      case 'decision':
        return this.decider?.decided(message);
      case 'cancel':
        return this.forwarded.cancel(events?.decider, message);
      case 'events':
        if (events?.dispatcher === undefined) return;
        this.inbox.receive(
          events.dispatcher,
          message.from,
          message.clients,
          message.lines,
          message.confirmAt === undefined ? undefined : { at: message.confirmAt, ids: message.confirmIds ?? [] },
        );
        return;
      case 'answers':
        return this.relays.answered(message.from, message.ids, message.outcomes);
      case 'refused':
        for (let i = 0; i < message.clients.length; i += 1) events?.refused?.(message.clients[i] as string, message.codes[i] as SendRefusalCode, message.dropped);
        return;
    }
  }

  /** A peer is gone; after a timeout (not a goodbye: a stopping broker reports its own clients) its clients are reported. */
  nodeLost(nodeId: string, why: 'goodbye' | 'timeout'): void {
    this.decider?.nodeLost(nodeId);
    this.forwarded.nodeLost(this.events?.decider, nodeId);
    this.relays.nodeLost(nodeId);
    const clients = this.directory.take(nodeId);
    if (why === 'timeout') this.reportLost(nodeId, clients);
    this.inbox.forgetNode(nodeId);
  }

  /** The backplane stops: last batches out (before its goodbye), local decisions for peers cancelled, the rest forgotten. */
  close(): void {
    this.relays.close();
    this.forwarded.nodeLost(this.events?.decider, undefined);
    this.directory.clear();
  }

  /** Exactly one survivor (see `reporterOf`) tells its backends, through its dispatcher, that each client of `nodeId` is gone. */
  private reportLost(nodeId: string, clients: readonly LocalClientInfo[]): void {
    const link = this.link;
    const dispatcher = this.events?.dispatcher;
    const reporting = dispatcher !== undefined && reporterOf(link.nodeId, this.localBackends > 0, link.registry.withBackends()) === link.nodeId;
    if (reporting) {
      const reason = `broker ${nodeId} lost`;
      for (const client of clients) {
        // The owner its relayed events had, if they came here: the disconnected follows them to the same backend.
        const owner = this.inbox.take(nodeId, client.clientId) ?? { id: client.clientId, affinity: undefined };
        const context = JSON.stringify({ client_id: client.clientId, room_id: client.roomId, metadata: client.metadata });
        dispatcher.send(owner, disconnectedLine(context, LOST_NODE_CLOSE_CODE, reason));
      }
    }
    link.diagnostics.lostClients(nodeId, clients.length, reporting);
  }
}

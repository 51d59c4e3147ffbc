// What a cluster backplane counts and logs: lost nodes, missing replies, failed publishes, messages it could not read.
import { RateLimitedLog } from '../logger.js';
import type { ClusterLogger } from './cluster-options.js';
import type { IncompleteRequest } from './requests.js';

/** Counters of what went wrong or was skipped, for metrics and tests. */
export interface ClusterCounters {
  /** Requests that ended with replies missing (timeout, stop, unsendable, or over `maxPendingRequests`). */
  incompleteRequests: number;
  /** Replies left out of those requests, one per silent peer. */
  missingReplies: number;
  /** Peers given up, by timeout or goodbye. */
  nodesLost: number;
  /** Publishes the transport threw on. */
  publishErrors: number;
  /** Messages of a type this node does not know (a newer peer), ignored. */
  unknownMessages: number;
  /** Messages and responses without the fields their type needs, ignored. */
  malformedMessages: number;
  /** Other nodes' clients not noted because the directory was full (`maxDirectoryClients`). */
  directoryOverflows: number;
  /** Relayed clients forgotten because too many were kept (`maxRelayedClients`). */
  relayEvictions: number;
  /** Clients of lost nodes this node reported `disconnected` to its backends. */
  lostClientsReported: number;
  /** Times a peer said it had given this node up by timeout, and this node closed its clients. */
  givenUpByPeers: number;
}

/** Counts every event and logs it, rate-limited where it can happen per command. */
export class ClusterDiagnostics {
  readonly counts: ClusterCounters = {
    incompleteRequests: 0,
    missingReplies: 0,
    nodesLost: 0,
    publishErrors: 0,
    unknownMessages: 0,
    malformedMessages: 0,
    directoryOverflows: 0,
    relayEvictions: 0,
    lostClientsReported: 0,
    givenUpByPeers: 0,
  };
  // These can come once per command or per received message: at most one line a second each.
  private readonly incompleteLog = new RateLimitedLog(1000);
  private readonly publishLog = new RateLimitedLog(1000);
  private readonly receiveLog = new RateLimitedLog(1000);
  private readonly boundLogs = { directoryOverflows: new RateLimitedLog(1000), relayEvictions: new RateLimitedLog(1000) };

  constructor(
    private readonly nodeId: string,
    private readonly logger: ClusterLogger | undefined,
  ) {}

  nodeJoined(peer: string): void {
    this.logger?.info({ node: this.nodeId, peer }, 'cluster node joined');
  }

  /** `peer` had given this node up by timeout and hears from it again: this node closed its `clients`. */
  givenUp(peer: string, clients: number): void {
    this.counts.givenUpByPeers += 1;
    this.logger?.warn({ node: this.nodeId, peer, clients }, 'cluster gave this node up: its clients were closed to reconnect');
  }

  nodeLost(peer: string, why: 'goodbye' | 'timeout', nodeTimeoutMs: number): void {
    this.counts.nodesLost += 1;
    if (why === 'timeout') this.logger?.warn({ node: this.nodeId, peer, nodeTimeoutMs }, 'cluster node lost');
    else this.logger?.info({ node: this.nodeId, peer }, 'cluster node left');
  }

  requestIncomplete(request: IncompleteRequest): void {
    this.counts.incompleteRequests += 1;
    this.counts.missingReplies += request.missing.length;
    const log = this.logger;
    if (log === undefined) return;
    this.incompleteLog.hit((suppressed) => {
      log.warn({ node: this.nodeId, ...request, suppressedSinceLastLog: suppressed }, 'cluster request ended without every reply');
    });
  }

  publishFailed(error: unknown): void {
    this.counts.publishErrors += 1;
    const log = this.logger;
    if (log === undefined) return;
    this.publishLog.hit((suppressed) => {
      log.warn({ node: this.nodeId, err: error, suppressedSinceLastLog: suppressed }, 'cluster publish failed');
    });
  }

  unreadable(kind: 'unknown' | 'malformed', value: unknown): void {
    if (kind === 'unknown') this.counts.unknownMessages += 1;
    else this.counts.malformedMessages += 1;
    const log = this.logger;
    if (log === undefined) return;
    this.receiveLog.hit((suppressed) => {
      const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : typeof value;
      log.warn({ node: this.nodeId, kind, type, suppressedSinceLastLog: suppressed }, 'cluster message ignored');
    });
  }

  /** A bound on what is kept about other nodes' clients was reached. */
  overBound(what: 'directoryOverflows' | 'relayEvictions', max: number): void {
    this.counts[what] += 1;
    const log = this.logger;
    if (log === undefined) return;
    this.boundLogs[what].hit((suppressed) => {
      const message = what === 'directoryOverflows' ? 'cluster directory full: client not noted' : 'too many relayed clients: oldest forgotten';
      log.warn({ node: this.nodeId, max, suppressedSinceLastLog: suppressed }, message);
    });
  }

  /** This node told its backends that the clients of a lost node are gone (or could not: `reported` false). */
  lostClients(peer: string, clients: number, reported: boolean): void {
    if (reported) this.counts.lostClientsReported += clients;
    if (clients === 0) return;
    if (reported) this.logger?.warn({ node: this.nodeId, peer, clients }, 'clients of a lost node reported disconnected');
    else this.logger?.info({ node: this.nodeId, peer, clients }, 'clients of a lost node left to another node to report');
  }
}

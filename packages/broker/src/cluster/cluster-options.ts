// Options of every ClusterBackplane, declared once with their defaults, and the one check of them.
import { randomBytes } from 'node:crypto';
import { OptionsError } from '../errors.js';

export const DEFAULT_CLUSTER_HEARTBEAT_INTERVAL_MS = 3_000;
export const DEFAULT_CLUSTER_NODE_TIMEOUT_MS = 10_000;
export const DEFAULT_CLUSTER_REQUEST_TIMEOUT_MS = 2_000;
export const DEFAULT_CLUSTER_MAX_PENDING_REQUESTS = 10_000;
export const DEFAULT_CLUSTER_MAX_DIRECTORY_CLIENTS = 1_000_000;
export const DEFAULT_CLUSTER_MAX_RELAYED_CLIENTS = 1_000_000;

/** What a cluster backplane logs through (pino's `Logger` fits). */
export interface ClusterLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** Options of a `ClusterBackplane`; every field is optional. */
export interface ClusterBackplaneOptions {
  /** This node's id; unique in the cluster. @default 16 random hex digits */
  nodeId?: string;
  /** Interval between two heartbeats of this node, which is also how often lapsed peers are looked for. @default 3000 */
  heartbeatIntervalMs?: number;
  /**
   * A peer not heard from for this long is given up (`nodeLost`) at the next heartbeat tick; must exceed `heartbeatIntervalMs`.
   * Only time this node could hear counts: not while its transport reports the link down, nor a stall of its own event loop. @default 10000
   */
  nodeTimeoutMs?: number;
  /** How long join, leave, disconnect and members wait for other nodes' replies. @default 2000 */
  requestTimeoutMs?: number;
  /** Requests waiting for replies at once; past it a new request answers at once as if it timed out, so memory stays bounded. @default 10000 */
  maxPendingRequests?: number;
  /**
   * Other nodes' clients this node keeps in its directory (to report them `disconnected` if their
   * node is lost); past it new ones are not noted, and that is counted and logged. @default 1000000
   */
  maxDirectoryClients?: number;
  /**
   * Other nodes' clients whose relayed events this node keeps on one backend each; past it the
   * oldest is forgotten (its next event picks a backend afresh), counted and logged. @default 1000000
   */
  maxRelayedClients?: number;
  /** Where lost nodes and missing replies are reported. @default undefined (not logged, only counted) */
  logger?: ClusterLogger;
}

/** Options with every default filled in. */
export interface ResolvedClusterOptions {
  nodeId: string;
  heartbeatIntervalMs: number;
  nodeTimeoutMs: number;
  requestTimeoutMs: number;
  maxPendingRequests: number;
  maxDirectoryClients: number;
  maxRelayedClients: number;
  logger: ClusterLogger | undefined;
}

/** Merges the defaults in; throws an `OptionsError` naming the option for a value that cannot work. */
export function resolveClusterOptions(options: ClusterBackplaneOptions = {}): ResolvedClusterOptions {
  const resolved: ResolvedClusterOptions = {
    nodeId: options.nodeId ?? randomBytes(8).toString('hex'),
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_CLUSTER_HEARTBEAT_INTERVAL_MS,
    nodeTimeoutMs: options.nodeTimeoutMs ?? DEFAULT_CLUSTER_NODE_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_CLUSTER_REQUEST_TIMEOUT_MS,
    maxPendingRequests: options.maxPendingRequests ?? DEFAULT_CLUSTER_MAX_PENDING_REQUESTS,
    maxDirectoryClients: options.maxDirectoryClients ?? DEFAULT_CLUSTER_MAX_DIRECTORY_CLIENTS,
    maxRelayedClients: options.maxRelayedClients ?? DEFAULT_CLUSTER_MAX_RELAYED_CLIENTS,
    logger: options.logger,
  };
  if (typeof resolved.nodeId !== 'string' || resolved.nodeId === '') {
    throw new OptionsError('nodeId must be a non-empty string', 'nodeId');
  }
  const positive = ['heartbeatIntervalMs', 'nodeTimeoutMs', 'requestTimeoutMs', 'maxPendingRequests', 'maxDirectoryClients', 'maxRelayedClients'] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value <= 0) throw new OptionsError(`${name} must be a positive integer, got ${String(value)}`, name);
  }
  if (resolved.nodeTimeoutMs <= resolved.heartbeatIntervalMs) {
    // A timeout within one interval would give up healthy peers between two of their heartbeats.
    throw new OptionsError(
      `nodeTimeoutMs (${resolved.nodeTimeoutMs}) must exceed heartbeatIntervalMs (${resolved.heartbeatIntervalMs})`,
      'nodeTimeoutMs',
    );
  }
  return resolved;
}

// What a ClusterBackplane reports: its stats, and the /metrics samples made of them.
import type { BackplaneMetric } from '../metric-samples.js';
import type { ClusterCounters } from './cluster-diagnostics.js';
import type { ServiceSizes } from './cluster-services.js';

/** The state of the cluster as this node sees it, and what went wrong or was skipped. */
export interface ClusterBackplaneStats extends ClusterCounters, ServiceSizes {
  /** Peers currently considered alive (this node not counted). */
  peers: number;
  /** Requests waiting for replies. */
  pendingRequests: number;
}

/** Samples for /metrics: peers, requests and what went wrong (a transport adds its own). */
export function clusterMetricSamples(s: ClusterBackplaneStats): BackplaneMetric[] {
  const gauge = (name: string, help: string, value: number): BackplaneMetric => ({ kind: 'gauge', name, help, value });
  const counter = (name: string, help: string, value: number): BackplaneMetric => ({ kind: 'counter', name, help, value });
  return [
    gauge('strands_cluster_peers', 'Other brokers of the cluster alive now.', s.peers),
    gauge('strands_cluster_peers_with_backends', 'Other brokers that announced ready backends.', s.peersWithBackends),
    gauge('strands_cluster_pending_requests', 'Cluster requests waiting for replies.', s.pendingRequests),
    gauge('strands_cluster_relayed_clients', 'Clients of other brokers whose events this broker hands to its backends.', s.relayedClients),
    counter('strands_cluster_nodes_lost_total', 'Brokers given up (timeout or goodbye).', s.nodesLost),
    counter('strands_cluster_lost_clients_reported_total', 'Clients of lost brokers reported disconnected to this broker\'s backends.', s.lostClientsReported),
    counter('strands_cluster_given_up_total', 'Times another broker had given this one up and heard from it again: its clients were closed to reconnect.', s.givenUpByPeers),
    counter('strands_cluster_incomplete_requests_total', 'Cluster requests that ended with replies missing.', s.incompleteRequests),
    counter('strands_cluster_publish_errors_total', 'Publishes the transport failed on.', s.publishErrors),
  ];
}

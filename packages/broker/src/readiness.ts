// Readiness: whether this broker can take a new client now (GET /readyz); liveness (/healthz) is only that the process serves.

/** Ready, or why not. */
export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

/** What readiness is decided from, read when a probe asks. */
export interface ReadinessInputs {
  /** `stop()` began. */
  stopping: boolean;
  /** The backplane's link, as `Backplane.health()` says (always up on one broker). */
  link: { up: boolean; reason?: string };
  /** The durable queue's own Redis link (always up with the memory queue). */
  queue: { up: boolean; reason?: string };
  /** Backends connected to this broker and ready. */
  backends: number;
  /** Other brokers of the cluster that announced ready backends (0 alone). */
  peersWithBackends: number;
}

/**
 * A new client needs a backend to decide on it: ready when one is connected here, or (in a
 * cluster, whose brokers forward connection requests and relay events to a broker that has
 * one) when a peer announced one and the cluster link is up. Never ready while stopping or
 * while the cluster link or the durable queue's link is down, whatever the backends: events
 * would be kept in memory only, lost with the process, while the probe promises durability.
 */
export function readiness(inputs: ReadinessInputs): Readiness {
  if (inputs.stopping) return { ready: false, reason: 'shutting down' };
  if (!inputs.link.up) return { ready: false, reason: inputs.link.reason ?? 'cluster link down' };
  if (!inputs.queue.up) return { ready: false, reason: inputs.queue.reason ?? 'durable queue: Redis link down' };
  if (inputs.backends > 0 || inputs.peersWithBackends > 0) return { ready: true };
  return { ready: false, reason: 'no backend connected' };
}

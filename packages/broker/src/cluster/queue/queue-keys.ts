// Names of the durable queue's Redis keys, and the partition of a client.

/**
 * The queue's keys. Each partition stream carries the hash tag `{queue:<n>}`, so the enqueue script
 * (XLEN, XADD, XCLAIM on one key) runs on one slot of a Redis Cluster; the lease and DLQ keys stand alone.
 */
export interface QueueKeys {
  /** STREAM of one partition's events (`<prefix>:{queue:<n>}`), fields `c` client, `l` line, `i` event id. */
  partition(n: number): string;
  /** STREAM of dead letters (`<prefix>:queue:dlq`). */
  readonly deadLetters: string;
  /** STRING, a consumer's lease (`<prefix>:queue:consumer:<name>`), PX leaseMs. */
  lease(consumer: string): string;
}

export function queueKeys(prefix: string): QueueKeys {
  return {
    partition: (n) => `${prefix}:{queue:${n}}`,
    deadLetters: `${prefix}:queue:dlq`,
    lease: (consumer) => `${prefix}:queue:consumer:${consumer}`,
  };
}

/** FNV-1a (32 bits) of the client id, modulo `partitions`: every event of one client lands in one stream, in order. */
export function partitionOf(clientId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < clientId.length; i += 1) {
    hash ^= clientId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

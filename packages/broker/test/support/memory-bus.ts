// Test aid, not a product feature: an in-process bus joining ClusterBackplanes, as socket.io-adapter's cluster tests do.
import { ClusterBackplane } from '../../src/cluster/cluster-backplane.js';
import type { ClusterMessage } from '../../src/cluster/cluster-messages.js';
import type { NodeMessage } from '../../src/cluster/node-messages.js';
import type { ClusterBackplaneOptions } from '../../src/cluster/cluster-options.js';

/**
 * Joins the backplanes of several brokers in one process. Delivery is asynchronous (one
 * `setImmediate` per receiver, in publish order) and goes through JSON, so no object is shared
 * by reference and whatever a real transport could not carry fails here too.
 */
export class MemoryBus {
  private readonly nodes = new Map<string, MemoryBackplane>();
  /** Messages published, by type (each counted once, however many nodes receive it). */
  readonly published = new Map<string, number>();
  private inFlight = 0;

  /** Ids of the backplanes on the bus. */
  ids(): string[] {
    return [...this.nodes.keys()];
  }

  /** True while `node` is on the bus. */
  has(node: MemoryBackplane): boolean {
    return this.nodes.get(node.nodeId) === node;
  }

  attach(node: MemoryBackplane): void {
    if (this.nodes.has(node.nodeId)) throw new Error(`node id ${node.nodeId} is already on the bus`);
    this.nodes.set(node.nodeId, node);
  }

  detach(node: MemoryBackplane): void {
    if (this.has(node)) this.nodes.delete(node.nodeId);
  }

  /**
   * Takes `node` off the bus without a goodbye, as a crash would: from now on it sends and
   * receives nothing (its heartbeats go nowhere), while its broker keeps running unaware.
   */
  vanish(node: MemoryBackplane): void {
    this.detach(node);
  }

  /** Resolves once every message and response sent so far has been handled, and nothing more is queued. */
  async settled(): Promise<void> {
    while (this.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Sends `message` to every node but `from`. */
  publish(from: MemoryBackplane, message: ClusterMessage): void {
    if (!this.has(from)) return;
    this.published.set(message.type, (this.published.get(message.type) ?? 0) + 1);
    const text = JSON.stringify(message);
    for (const node of this.nodes.values()) {
      if (node !== from) this.later(node, () => node.receiveMessage(JSON.parse(text)));
    }
  }

  /** Sends a node-addressed message (a response, a forwarded request, relayed events) to the node `to`, if it is on the bus. */
  respond(from: MemoryBackplane, to: string, message: NodeMessage): void {
    const node = this.nodes.get(to);
    if (!this.has(from) || node === undefined) return;
    const text = JSON.stringify(message);
    this.later(node, () => node.receiveResponse(JSON.parse(text)));
  }

  private later(node: MemoryBackplane, deliver: () => void): void {
    this.inFlight += 1;
    setImmediate(() => {
      this.inFlight -= 1;
      // A node that vanished or stopped meanwhile gets nothing more, as with a real link.
      if (this.has(node)) deliver();
    });
  }
}

/** A ClusterBackplane whose transport is a `MemoryBus`: the whole of a transport's duties, in a few lines. */
export class MemoryBackplane extends ClusterBackplane {
  constructor(
    readonly bus: MemoryBus,
    options: ClusterBackplaneOptions = {},
  ) {
    super(options);
  }

  /** The bus hands over a published message, as decoded (the base class checks it). */
  receiveMessage(message: unknown): void {
    this.onMessage(message);
  }

  /** The bus hands over a response addressed to this node, as decoded. */
  receiveResponse(response: unknown): void {
    this.onResponse(response);
  }

  /** Marks the transport down or up, as a real one would when its link fails. */
  setLink(up: boolean, reason?: string): void {
    this.setHealth(up ? { up } : { up, reason: reason ?? 'memory bus link down' });
  }

  protected override openTransport(): Promise<void> {
    this.bus.attach(this);
    return Promise.resolve();
  }

  protected override closeTransport(): Promise<void> {
    this.bus.detach(this);
    return Promise.resolve();
  }

  protected doPublish(message: ClusterMessage): void {
    this.bus.publish(this, message);
  }

  protected doPublishResponse(toNodeId: string, message: NodeMessage): void {
    this.bus.respond(this, toNodeId, message);
  }
}

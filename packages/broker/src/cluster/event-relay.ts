// Client events for another broker's backends: one EventConsumer per peer with backends, batching each turn into one message.
import type { ConsumerSource, EventConsumer } from '../core/consumers.js';
import type { EventDispatcher } from '../core/dispatcher.js';
import type { SendAnswer, SendOutcome } from '../core/overflow.js';
import type { EventsMessage } from './node-messages.js';

/** What a peer announced it can do with relayed events (heartbeat fields; an older peer announces neither). */
export interface PeerAbilities {
  /** It answers confirmed sends (`answers`); otherwise they are accepted once published. */
  answers?: boolean;
  /** It closes event lines sent without their newline (`bareLines`); otherwise lines keep it. */
  bareLines?: boolean;
}

/** How relays reach the other nodes and report to the dispatcher. */
export interface RelayLink {
  readonly nodeId: string;
  /** Sends to one node's inbox; false when the transport could not take it. */
  send(toNodeId: string, message: EventsMessage): boolean;
}

const NEWLINE = 0x0a;

// Relay ids are negative, so a log line never confuses one with a backend connection.
let lastRelayId = 0;

/**
 * The backends of one other node, as the dispatcher sees them. Events given during a turn go
 * out together in one `events` message at the end of it; the store is told they are done as soon
 * as the message is published (at most once across nodes, as the kernel write is for a local
 * backend). A relay is alive until its node is lost, announces no backends, or a publish fails;
 * then what it held and had not published goes back to the dispatcher, and a new relay replaces it.
 */
export class RelayConsumer implements EventConsumer {
  readonly id = --lastRelayId;
  private open = true;
  private clients: string[] = [];
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private hooks: (() => void)[] = [];
  /** This turn's confirmed sends: their index among `lines`, and their number. */
  private confirmAt: number[] = [];
  private confirmIds: number[] = [];
  /** Confirmed sends given and not answered yet, by number (answered by `retire` at the latest). */
  private readonly answering = new Map<number, SendAnswer>();
  private lastConfirm = 0;
  private readonly flushNow = (): void => this.flush();

  /** The node announced that it answers confirmed sends (a node of an earlier version does not: they are accepted once published). */
  answersLater = false;
  /**
   * The node closes lines itself: each line goes without its newline, so that the turn's lines
   * travel as the record's body, unescaped, instead of a JSON array (escaped by this node,
   * unescaped by the other: most of a relayed event's cost in the encoding).
   */
  bareLines = false;

  constructor(
    readonly nodeId: string,
    private readonly link: RelayLink,
    private readonly dispatcher: EventDispatcher,
    abilities: PeerAbilities = {},
  ) {
    this.heard(abilities);
  }

  /** What the node announced in its latest heartbeat. */
  heard(abilities: PeerAbilities): void {
    this.answersLater = abilities.answers === true;
    this.bareLines = abilities.bareLines === true;
  }

  get alive(): boolean {
    return this.open;
  }

  /** Bytes of event lines given this turn and not yet published. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  sendEvent(line: string, clientId: string): boolean {
    if (!this.open) return false;
    this.clients.push(clientId);
    this.lines.push(this.bareLines && line.charCodeAt(line.length - 1) === NEWLINE ? line.slice(0, -1) : line);
    this.bytes += line.length;
    this.schedule();
    return true;
  }

  /** A confirmed send: like `sendEvent`, and `answer` hears what the node did with it once it says. */
  sendAnswered(line: string, clientId: string, answer: SendAnswer): boolean {
    if (!this.sendEvent(line, clientId)) return false;
    const id = ++this.lastConfirm;
    this.confirmAt.push(this.lines.length - 1);
    this.confirmIds.push(id);
    this.answering.set(id, answer);
    return true;
  }

  /** The node's answers to confirmed sends; numbers it does not know (answered already, or from before a retire) are ignored. */
  answered(ids: readonly number[], outcomes: readonly SendOutcome[]): void {
    for (let k = 0; k < ids.length; k += 1) {
      const answer = this.answering.get(ids[k] as number);
      if (answer === undefined) continue;
      this.answering.delete(ids[k] as number);
      answer(outcomes[k] as SendOutcome);
    }
  }

  onWritten(hook: () => void): void {
    this.hooks.push(hook);
    this.schedule();
  }

  /** Publishes what this turn gave; a failed publish retires the relay (the dispatcher gets its events back). */
  flush(): void {
    this.scheduled = false;
    const count = this.lines.length;
    if (count > 0 && this.open) {
      const message: EventsMessage = { type: 'events', from: this.link.nodeId, clients: this.clients, lines: this.lines };
      if (this.confirmAt.length > 0) {
        message.confirmAt = this.confirmAt;
        message.confirmIds = this.confirmIds;
        this.confirmAt = [];
        this.confirmIds = [];
      }
      this.clients = [];
      this.lines = [];
      this.bytes = 0;
      if (this.link.send(this.nodeId, message)) this.dispatcher.written(this, count);
      else this.retire();
    }
    const hooks = this.hooks;
    this.hooks = [];
    for (const hook of hooks) hook();
  }

  /** Takes nothing more; what it held and had not published goes back to the dispatcher. False when already retired. */
  retire(): boolean {
    if (!this.open) return false;
    this.open = false;
    const unpublished = new Set(this.confirmIds);
    const answering = [...this.answering];
    this.answering.clear();
    this.clients = [];
    this.lines = [];
    this.bytes = 0;
    this.confirmAt = [];
    this.confirmIds = [];
    this.dispatcher.lost(this);
    // The node will not answer now: what it got was handed on (at most once across nodes, as for
    // a node that never answers); what it did not get went back to the queue here.
    for (const [id, answer] of answering) answer(unpublished.has(id) ? 'queued' : 'sent');
    return true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }
}

/**
 * The relays to the other nodes' backends: a ConsumerSource the dispatcher falls back to when this
 * broker has no backend of its own (picked in turn), kept in step with what peers announce.
 */
export class EventRelay implements ConsumerSource {
  private readonly relays = new Map<string, RelayConsumer>();
  private dispatcher: EventDispatcher | undefined;
  private turn = 0;

  constructor(private readonly link: RelayLink) {}

  /** Set once, from the broker's `bind`; without a dispatcher there are no relays. */
  bind(dispatcher: EventDispatcher | undefined): void {
    this.dispatcher = dispatcher;
  }

  /** Live relays (one per peer with backends). */
  get size(): number {
    return this.live().length;
  }

  pick(): EventConsumer | undefined {
    const live = this.live();
    if (live.length === 0) return undefined;
    this.turn = (this.turn + 1) % live.length;
    return live[this.turn];
  }

  /** The live relay to `nodeId`, if it has backends. */
  relayTo(nodeId: string): RelayConsumer | undefined {
    const relay = this.relays.get(nodeId);
    return relay?.alive === true ? relay : undefined;
  }

  /** `nodeId` announced `count` ready backends (and what it does with relayed events): a relay opens (waiting events go out) or retires. */
  backends(nodeId: string, count: number, abilities: PeerAbilities = {}): void {
    const dispatcher = this.dispatcher;
    if (dispatcher === undefined) return;
    if (count === 0) return this.nodeLost(nodeId);
    const current = this.relays.get(nodeId);
    if (current?.alive === true) return current.heard(abilities);
    this.relays.set(nodeId, new RelayConsumer(nodeId, this.link, dispatcher, abilities));
    dispatcher.ready();
  }

  /** `nodeId` answered confirmed sends relayed to it. */
  answered(nodeId: string, ids: readonly number[], outcomes: readonly SendOutcome[]): void {
    this.relays.get(nodeId)?.answered(ids, outcomes);
  }

  /** `nodeId` is gone (or has no backend now): its relay retires. */
  nodeLost(nodeId: string): void {
    const relay = this.relays.get(nodeId);
    if (relay === undefined) return;
    this.relays.delete(nodeId);
    relay.retire();
  }

  /** The relays still alive; one that retired itself (a failed publish) is dropped here, until its node announces backends again. */
  private live(): RelayConsumer[] {
    const live: RelayConsumer[] = [];
    for (const [nodeId, relay] of this.relays) {
      if (relay.alive) live.push(relay);
      else this.relays.delete(nodeId);
    }
    return live;
  }

  /** Publishes every relay's batch now (before a goodbye), then retires them all. */
  close(): void {
    const relays = [...this.relays.values()];
    this.relays.clear();
    for (const relay of relays) relay.flush();
    for (const relay of relays) relay.retire();
  }
}

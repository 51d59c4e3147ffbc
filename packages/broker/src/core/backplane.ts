// The Backplane port: how the routing core reaches clients, on this broker or on any broker of a cluster.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { BackplaneMetric } from '../metric-samples.js';
import type { ConnectionDecider } from './decisions.js';
import type { EventDispatcher } from './dispatcher.js';
import type { HistoryLimits, HistoryPosition, SharedHistoryStore } from './history-store.js';

/** A result that is ready at once on one broker and may need a round trip in a cluster. */
export type MaybePromise<T> = T | Promise<T>;

/** A member of a room as `room_members` reports it. */
export interface MemberInfo {
  clientId: string;
  metadata: Record<string, unknown>;
}

/** A client connected to this broker, as the backplane is told about it (presence, directory). */
export interface LocalClientInfo {
  clientId: string;
  roomId: string;
  metadata: Record<string, unknown>;
}

/**
 * The clients of this broker: what the WebSocket gateway offers the backplane. Every method
 * acts on local clients only and answers at once; a cluster backplane calls these for the
 * share of a command that lands here.
 */
export interface LocalNode {
  /** Delivers to every local member of a room; returns how many got it. */
  toRoom(roomId: string, message: string, binary: boolean): number;
  /**
   * Delivers a message of a room with history: clients that asked for positions get it with its
   * offset and epoch, the others as is. Returns how many got it. Optional: a node without it
   * delivers such messages as plain ones.
   */
  toRoomAt?(roomId: string, message: string, binary: boolean, position: HistoryPosition): number;
  /** Delivers to one local client; false when it is not here. */
  toConnection(clientId: string, message: string, binary: boolean): boolean;
  /** Delivers to every local client; returns how many got it. */
  broadcast(message: string, binary: boolean): number;
  /** Adds a local client to a room; false when the client is not here. */
  join(clientId: string, roomId: string): boolean;
  /** Removes a local client from a room; false when the client is not here. */
  leave(clientId: string, roomId: string): boolean;
  /** Closes a local client with `code` and `reason`; false when it is not here. */
  disconnect(clientId: string, code: number, reason: string): boolean;
  /**
   * Closes every local client with `code` and `reason` (a cluster gave this broker up: its clients
   * were reported gone, so they must reconnect to be seen again); returns how many. Optional: a
   * node without it keeps its clients.
   */
  disconnectAll?(code: number, reason: string): number;
  /** The local members of a room. */
  members(roomId: string): MemberInfo[];
  /** True when the client is connected here. */
  has(clientId: string): boolean;
}

/** What a backplane reports back to the broker, and the parts of the broker a cluster serves other brokers with. */
export interface BackplaneEvents {
  /** Another broker of the cluster left (goodbye) or stopped answering, and was given up. */
  nodeLost(nodeId: string): void;
  /**
   * This broker's own connection decider (its backends; never one that forwards), so a cluster
   * can decide the connection requests other brokers forward here. Optional: without it they
   * are refused 503.
   */
  decider?: ConnectionDecider;
  /**
   * This broker's dispatcher, so a cluster can hand this broker's backends the events of clients
   * connected elsewhere (and `disconnected` for the clients of a lost broker), and report on the
   * consumers it relays this broker's events through. Optional: without it nothing is relayed.
   */
  dispatcher?: EventDispatcher;
  /**
   * Room messages published meanwhile may never have reached this broker (its subscription was
   * lost and is back): rooms with a shared history are read from where they stand here, so their
   * members see no hole. Optional: a backplane that cannot lose messages never calls it.
   */
  missedRoomMessages?(): void;
  /**
   * A message of this broker's client `clientId`, relayed to another broker, was refused there
   * with `code` (`dropped`: after it was accepted, a dead letter): its sender is told. Optional:
   * without it such refusals are only counted where they happen.
   */
  refused?(clientId: string, code: SendRefusalCode, dropped: boolean): void;
}

/** Whether the backplane can reach the rest of the system; a broker's health follows it. */
export interface BackplaneHealth {
  up: boolean;
  /** Why not, when down. */
  reason?: string;
}

/**
 * Carries out deliveries and membership changes for the routing core. The default
 * (`LocalBackplane`) is one broker alone; a cluster implementation also reaches the clients of
 * the other brokers (see `ClusterBackplane`, whose subclasses only move messages).
 *
 * The delivery methods return nothing and must not allocate per recipient: they are the hot
 * path of every room message. Membership calls may answer later (a cluster asks the broker
 * holding the client); `false` means no broker holds that client.
 */
export interface Backplane {
  /** This broker's id in the cluster (a fixed `local` id on one broker). */
  readonly nodeId: string;
  /**
   * True when every command reaches the clients of every broker: `hello_reply` then announces
   * the `cluster` capability, and the SDK sends each command to one broker only.
   */
  readonly clustered: boolean;
  /** Called once by the broker, before `start`, with its clients and its event sink. */
  bind(local: LocalNode, events: BackplaneEvents): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  toRoom(roomId: string, message: string, binary: boolean): void;
  /**
   * A message of a room with history, at its position (optional: a backplane without it gets no
   * history; the broker turns history off with a warning).
   */
  toRoomAt?(roomId: string, message: string, binary: boolean, position: HistoryPosition): void;
  /**
   * History kept by the backplane itself, shared by every broker (optional; cluster mode): with
   * it, a room with history goes through `toRoomInHistory`, which gives the message its offset.
   */
  readonly sharedHistory?: SharedHistoryStore;
  /** A message of a room with history, appended to `sharedHistory` and delivered everywhere with its position. */
  toRoomInHistory?(roomId: string, message: string, binary: boolean, limits: HistoryLimits): void;
  /**
   * Resolves once this broker receives what is published to `roomId` from now on (optional: at
   * once): a recovery reads the shared history only then, so no message falls between.
   */
  roomListening?(roomId: string): Promise<void>;
  toConnection(clientId: string, message: string, binary: boolean): void;
  broadcast(message: string, binary: boolean): void;
  join(clientId: string, roomId: string): MaybePromise<boolean>;
  leave(clientId: string, roomId: string): MaybePromise<boolean>;
  disconnect(clientId: string, code: number, reason: string): MaybePromise<boolean>;
  members(roomId: string): MaybePromise<MemberInfo[]>;
  /** A client was accepted on this broker (presence; a cluster replaces an older connection elsewhere). */
  clientAttached(client: LocalClientInfo): void;
  /** A client of this broker is gone. */
  clientDetached(client: LocalClientInfo): void;
  /**
   * A room got its first member on this broker (optional): a cluster starts listening to the
   * room's traffic only now, so a broker never receives messages for rooms it has no members in.
   */
  roomOpened?(roomId: string): void;
  /** A room lost its last member on this broker (optional). */
  roomClosed?(roomId: string): void;
  /**
   * This broker now has `count` ready backends (optional; called whenever a backend joins or
   * leaves the pool): a cluster announces it, so other brokers know where a backend can decide
   * or take events.
   */
  backendsChanged?(count: number): void;
  health(): BackplaneHealth;
  /** Samples for /metrics (optional): a cluster reports its link, peers and cross-node traffic. */
  metrics?(): readonly BackplaneMetric[];
}

// Shapes exchanged between the load generator's main thread and its workers.

/**
 * How clients behave:
 * - `ping-pong`: each client sends, waits for its reply, repeats (one message in flight);
 * - `open-loop`: clients send at a fixed total rate whatever the replies do;
 * - `fan-out`: one extra sender keeps `inFlight` messages going into a room of receivers;
 * - `idle`: clients connect and hold their connections.
 */
export type LoadMode = 'ping-pong' | 'open-loop' | 'fan-out' | 'idle';

/** One load run. */
export interface LoadSpec {
  mode: LoadMode;
  /** WebSocket URL every client connects to (fan-out: the sender; receivers too unless `urls`). */
  url: string;
  /**
   * Clients (fan-out: receivers) spread over these URLs in turn, by their index in the whole run
   * (client k on urls[k % length]), e.g. a room over two cluster brokers. @default [url]
   */
  urls?: string[];
  /** Clients (receivers in fan-out, which adds one sender). */
  clients: number;
  /** Worker threads sharing the clients. */
  workers: number;
  /** Unmeasured load before the window, in ms. */
  warmupMs: number;
  /** Measured window, in ms (idle: how long connections are held after `onConnected`). */
  durationMs: number;
  /** Longest wait for replies in flight after the window, in ms. */
  drainMs: number;
  /** Size of each message, in bytes. */
  messageBytes: number;
  /** Open-loop total send rate, messages/s. */
  ratePerSec?: number;
  /** Fan-out: messages the sender keeps in flight. */
  inFlight?: number;
  /** Handshakes in flight at once, per worker. */
  connectConcurrency: number;
}

/** What one worker is told to do. */
export interface WorkerTask {
  spec: LoadSpec;
  /** Index of this worker; worker 0 hosts the fan-out sender. */
  index: number;
  /** Clients this worker opens. */
  clients: number;
  /** Index in the whole run of this worker's first client (fan-out: first receiver), for `spec.urls`. */
  firstClient: number;
  /** Open-loop rate of this worker, messages/s. */
  ratePerSec: number;
  /** Fan-out: the completion counts every worker shares, and the channel that tells the sender. */
  fanOut?: { completion: SharedArrayBuffer; channel: string };
}

/** Worker -> main messages. */
export type WorkerMessage =
  | { type: 'connected'; connected: number; failed: number; firstError?: string }
  | { type: 'report'; report: WorkerReport };

/** Main -> worker messages. */
export type MainMessage =
  /** `atUs` (nowMicros clock, shared by all threads) anchors every worker's window to one instant. */
  | { type: 'start'; atUs: number }
  | { type: 'finish' };

/** What one worker measured. */
export interface WorkerReport {
  /** Messages sent during the window (fan-out: by the sender; only worker 0 has one). */
  sent: number;
  /** Replies (fan-out: deliveries) to messages sent during the window. */
  received: number;
  /** Replies that did not match what the client had sent (misrouted or corrupted). */
  mismatched: number;
  /** Connections that closed or failed while the run went on. */
  dropped: number;
  /** Ping-pong clients still waiting for a reply after the drain (their message was lost). */
  stalled: number;
  /** Event-loop utilisation of this worker during the window (0..1). */
  utilization: number;
  /** Latency histogram data (LatencyHistogram.toJSON). */
  histogram: { counts: Uint32Array; sumMicros: number; maxMicros: number };
  /** Length of the measured window as this worker saw it, in ms. */
  windowMs: number;
}

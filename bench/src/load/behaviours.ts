// What each kind of client does once the run starts. Every behaviour records only messages sent
// inside the measured window, so warm-up and drain never leak into the figures.
import type WebSocket from 'ws';
import type { LatencyHistogram } from '../histogram.js';
import type { FanOutCompletion } from './fan-out-completion.js';
import { buildMessage, messageStart, nowMicros, padFor, readLatencyMicros, readSeq } from '../message.js';
import { readFramesDirectly } from './frame-reader.js';

/** Counters shared by every client of one worker. */
export interface RunState {
  /** False once the window is over: clients stop sending. */
  sending: boolean;
  windowStartUs: number;
  windowEndUs: number;
  sent: number;
  received: number;
  mismatched: number;
  histogram: LatencyHistogram;
  /** Last time anything arrived, for the quiet-period drain. */
  lastMessageUs: number;
}

const inWindow = (state: RunState, us: number): boolean => us >= state.windowStartUs && us < state.windowEndUs;

/** A ping-pong client: `start` sends its first message; `waiting` says whether a reply is owed. */
export interface PingPongClient {
  start: () => void;
  waiting: () => boolean;
}

/** Ping-pong: one message in flight per client. */
export function pingPong(ws: WebSocket, state: RunState, bytes: number): PingPongClient {
  const padding = padFor(bytes);
  let seq = 0;
  let sentAt = 0;
  let counted = false;
  let waiting = false;
  const send = (): void => {
    seq += 1;
    sentAt = nowMicros();
    counted = inWindow(state, sentAt);
    if (counted) state.sent += 1;
    waiting = true;
    ws.send(buildMessage(sentAt, seq, bytes, padding));
  };
  ws.on('message', (data: Buffer) => {
    const now = nowMicros();
    state.lastMessageUs = now;
    if (!waiting || readSeq(data) !== seq % 1e10) {
      state.mismatched += 1;
      return;
    }
    waiting = false;
    if (counted) {
      state.received += 1;
      state.histogram.record(now - sentAt);
    }
    if (state.sending) send();
  });
  return { start: send, waiting: () => waiting };
}

/**
 * Receives messages stamped with their send time and records their latency (open-loop, fan-out);
 * `onDelivery` sees each message after it is recorded, with where it starts in `data` (inside a
 * history `pub` envelope for a session client). The broker's other frames to a session client
 * (`session`, `position`) carry no message and are passed over.
 */
export function stampedReceiver(ws: WebSocket, state: RunState, onDelivery?: (data: Buffer, start: number) => void): void {
  ws.on('message', (data: Buffer) => received(state, data, onDelivery));
}

/** One stamped message received: its latency recorded when it was sent inside the window, then handed to `onDelivery`. */
function received(state: RunState, data: Buffer, onDelivery?: (data: Buffer, start: number) => void): void {
  const now = nowMicros();
  const start = messageStart(data);
  if (start < 0) return;
  state.lastMessageUs = now;
  const latency = readLatencyMicros(data, now, start);
  if (latency < 0) {
    state.mismatched += 1;
    return;
  }
  if (inWindow(state, now - latency)) {
    state.received += 1;
    state.histogram.record(latency);
  }
  onDelivery?.(data, start);
}

/**
 * A fan-out receiver: records each delivery and, when it is the last receiver of a message
 * (counted across every worker in `completion`), calls `onComplete`. It reads its frames off the
 * socket itself (frame-reader.ts), not through ws' parser and one event per frame: a room of
 * 1,000 brings the load generator 800k frames/s, and ws' per-frame cost made the generator, not
 * the server, the limit of the fan-out rows.
 */
export function fanOutReceiver(ws: WebSocket, state: RunState, completion: FanOutCompletion, onComplete: () => void): void {
  const onDelivery = (data: Buffer, start: number): void => {
    if (completion.deliver(readSeq(data, start))) onComplete();
  };
  readFramesDirectly(ws, {
    message: (payload) => received(state, payload, onDelivery),
    unexpected: () => {
      state.mismatched += 1;
    },
  });
}

/**
 * Open loop: sends `ratePerSec` messages/s round-robin over `sockets`, whatever the replies do.
 * Latency runs from when each message was due, not when it went out, so a stalled server cannot
 * hide its stall (coordinated omission). Returns the function that starts the schedule.
 */
export function openLoop(sockets: WebSocket[], state: RunState, bytes: number, ratePerSec: number): () => void {
  const padding = padFor(bytes);
  for (const ws of sockets) stampedReceiver(ws, state);
  return () => {
    const startUs = nowMicros();
    let k = 0;
    const tick = (): void => {
      if (!state.sending) return;
      const due = Math.floor(((nowMicros() - startUs) * ratePerSec) / 1e6);
      for (; k < due; k += 1) {
        const dueAt = startUs + Math.floor((k * 1e6) / ratePerSec);
        if (inWindow(state, dueAt)) state.sent += 1;
        sockets[k % sockets.length]?.send(buildMessage(dueAt, k, bytes, padding));
      }
      setTimeout(tick, 1);
    };
    tick();
  };
}

/** A fan-out sender: `start` fills its in-flight window, `complete` is called once per completed message. */
export interface FanOutSender {
  start: () => void;
  complete: () => void;
}

/**
 * Fan-out sender: keeps `inFlight` messages going into its room. A message stops being in flight
 * when its last receiver has it (`complete`), not when the sender's own copy comes back: the
 * sender's copy may come first or last depending on where it sits in the room.
 */
export function fanOutSender(ws: WebSocket, state: RunState, bytes: number, inFlight: number, completion: FanOutCompletion): FanOutSender {
  const padding = padFor(bytes);
  let seq = 0;
  let pending = 0;
  const send = (): void => {
    const now = nowMicros();
    seq += 1;
    pending += 1;
    if (inWindow(state, now)) state.sent += 1;
    completion.begin(seq);
    ws.send(buildMessage(now, seq, bytes, padding));
  };
  return {
    start: () => {
      while (pending < inFlight) send();
    },
    complete: () => {
      pending -= 1;
      while (state.sending && pending < inFlight) send();
    },
  };
}

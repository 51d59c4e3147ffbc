// One load generator worker thread: opens its share of clients, runs them when told, reports.
import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import type WebSocket from 'ws';
import { LatencyHistogram } from '../histogram.js';
import { nowMicros } from '../message.js';
import { fanOutReceiver, fanOutSender, openLoop, pingPong, type RunState } from './behaviours.js';
import { openClients } from './connect.js';
import { completionBuffer, FanOutCompletion } from './fan-out-completion.js';
import type { MainMessage, WorkerMessage, WorkerReport, WorkerTask } from './types.js';

const QUIET_DRAIN_MS = 200;
const POLL_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread');
const post = (message: WorkerMessage) => port.postMessage(message);
const nextCommand = async (): Promise<MainMessage> => (await once(port, 'message'))[0] as MainMessage;

const task = (workerData as { task: WorkerTask }).task;
const { spec } = task;
const hasSender = spec.mode === 'fan-out' && task.index === 0;

/** The URL of this worker's socket `i`: the sender (socket 0 of worker 0 in fan-out) on spec.url, clients over spec.urls. */
const urlOf = (i: number): string => {
  const urls = spec.urls;
  if (urls === undefined || urls.length === 0 || (hasSender && i === 0)) return spec.url;
  return urls[(task.firstClient + i - (hasSender ? 1 : 0)) % urls.length] ?? spec.url;
};
const connected = await openClients(urlOf, task.clients + (hasSender ? 1 : 0), spec.connectConcurrency);
post({ type: 'connected', connected: connected.sockets.length, failed: connected.failed, firstError: connected.firstError });
const sockets = connected.sockets;

let dropped = 0;
let running = true;
for (const ws of sockets) ws.on('close', () => { if (running) dropped += 1; });

const state: RunState = {
  sending: true,
  windowStartUs: Number.POSITIVE_INFINITY,
  windowEndUs: Number.POSITIVE_INFINITY,
  sent: 0,
  received: 0,
  mismatched: 0,
  histogram: new LatencyHistogram(),
  lastMessageUs: 0,
};

/** Fan-out deliveries counted across every worker (set up by the main thread). */
const completion = new FanOutCompletion(task.fanOut?.completion ?? completionBuffer());
let closeChannel = (): void => {};

/** Ping-pong clients still owed a reply after the drain: stuck, their last message lost. */
let stalledCount = (): number => 0;

function prepare(): () => void {
  switch (spec.mode) {
    case 'ping-pong': {
      const clients = sockets.map((ws) => pingPong(ws, state, spec.messageBytes));
      stalledCount = () => clients.filter((c) => c.waiting()).length;
      return () => { for (const c of clients) c.start(); };
    }
    case 'open-loop':
      return openLoop(sockets, state, spec.messageBytes, task.ratePerSec);
    case 'fan-out': {
      if (task.fanOut === undefined) throw new Error('fan-out task without completion memory');
      const [sender, ...receivers]: (WebSocket | undefined)[] = hasSender ? sockets : [undefined, ...sockets];
      // The receiver that completes a message tells the sender: directly on the sender's own
      // worker, over a channel from the others (one post per message, not per delivery).
      const channel = new BroadcastChannel(task.fanOut.channel);
      closeChannel = () => channel.close();
      const sending = sender === undefined ? undefined : fanOutSender(sender, state, spec.messageBytes, spec.inFlight ?? 1, completion);
      const onComplete = sending === undefined ? () => channel.postMessage(0) : sending.complete;
      if (sending !== undefined) channel.onmessage = () => sending.complete();
      for (const ws of receivers) if (ws !== undefined) fanOutReceiver(ws, state, completion, onComplete);
      return sending === undefined ? () => {} : sending.start;
    }
    case 'idle':
      return () => {};
  }
}

/** Waits for replies still in flight: until all came (when this worker knows how many), quiet, or the limit. */
async function drain(): Promise<void> {
  const deadline = Date.now() + spec.drainMs;
  while (Date.now() < deadline) {
    // Ping-pong: every client answered (even messages sent after the window); open loop: every
    // counted message back; fan-out: receivers cannot know how many, so wait for quiet.
    if (spec.mode === 'ping-pong' && stalledCount() === 0) return;
    if (spec.mode === 'open-loop' && state.received >= state.sent) return;
    if (spec.mode === 'fan-out' && nowMicros() - state.lastMessageUs > QUIET_DRAIN_MS * 1000) return;
    await sleep(POLL_MS);
  }
}

const begin = prepare();
const start = await nextCommand();
const startUs = start.type === 'start' ? start.atUs : nowMicros();
state.windowStartUs = startUs + spec.warmupMs * 1000;
state.windowEndUs = state.windowStartUs + spec.durationMs * 1000;
begin();
// Event-loop utilisation over the window: near 1 means this worker, not the server, was the limit.
await sleep(Math.max(0, (state.windowStartUs - nowMicros()) / 1000));
const eluStart = performance.eventLoopUtilization();
if (spec.mode === 'idle') {
  await nextCommand(); // finish: the main thread has measured what it wanted
} else {
  await sleep(Math.max(0, (state.windowEndUs - nowMicros()) / 1000));
}
state.sending = false;
const utilization = performance.eventLoopUtilization(eluStart).utilization;
if (spec.mode !== 'idle') await drain();
running = false;
closeChannel();

const report: WorkerReport = {
  sent: state.sent,
  received: state.received,
  mismatched: state.mismatched,
  dropped,
  stalled: stalledCount(),
  utilization,
  histogram: state.histogram.toJSON(),
  windowMs: spec.durationMs,
};
post({ type: 'report', report });
for (const ws of sockets) ws.terminate();

// Property-based fuzzing of both broker ports with fast-check: each run is one batch of fuzzed
// WebSocket clients and fuzzed backends against a real broker process; after each batch the broker
// must be alive and a control client and control backend must complete round trips, nothing lost.
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { backendInput, type BackendInput } from './backend-inputs.js';
import { ControlBackend, ControlClient, sleep, startBrokerProcess, type BrokerProcess } from './target.js';
import { wsInput, type WsInput } from './ws-inputs.js';

/** How much to fuzz. */
export interface FuzzOptions {
  seed: number;
  /** Batches (fast-check runs). */
  batches: number;
  /** Fuzzed WebSocket clients per batch. */
  wsPerBatch: number;
  /** Fuzzed backend connections per batch. */
  backendsPerBatch: number;
  /** Round trips each control client makes after each batch. */
  controlPerBatch?: number;
  /** Progress lines (one per batch). */
  log?: (line: string) => void;
  /** Extra strands-broker flags. */
  brokerArgs?: string[];
}

/** What a fuzz run did. */
export interface FuzzReport {
  seed: number;
  batches: number;
  wsInputs: number;
  backendConnections: number;
  backendLines: number;
  /** Broker processes that ended during the run (0 or 1: the run stops at the first). */
  crashes: number;
  controlSent: number;
  controlLost: number;
  rssBeforeKb: number | undefined;
  rssAfterKb: number | undefined;
  /** CPU time the broker process spent over the batches, in ms. */
  brokerCpuMs: number | undefined;
  /** Wall time of the batches, in ms. */
  durationMs: number;
  /** Set when a batch broke a property: what failed, and how to replay it. */
  failure: string | undefined;
}

interface Batch {
  ws: WsInput[];
  backends: BackendInput[];
}

/** Runs the fuzz against a broker process of its own; never throws for a broken property (see `failure`). */
export async function fuzzBroker(options: FuzzOptions): Promise<FuzzReport> {
  const broker = await startBrokerProcess(options.brokerArgs);
  const report: FuzzReport = {
    seed: options.seed,
    batches: 0,
    wsInputs: 0,
    backendConnections: 0,
    backendLines: 0,
    crashes: 0,
    controlSent: 0,
    controlLost: 0,
    rssBeforeKb: undefined,
    rssAfterKb: undefined,
    brokerCpuMs: undefined,
    durationMs: 0,
    failure: undefined,
  };
  const control = await ControlBackend.connect(broker.tcpPort);
  let persistent: ControlClient | undefined;
  try {
    persistent = await ControlClient.open(broker.wsPort, 'control-persistent');
    const perBatch = options.controlPerBatch ?? 5;
    report.controlSent += perBatch;
    report.controlLost += await persistent.roundTrips(perBatch);
    report.rssBeforeKb = broker.rssKb();
    const cpuBefore = broker.cpuMs();
    const startedAt = Date.now();
    const batch: fc.Arbitrary<Batch> = fc.record({
      ws: fc.array(wsInput, { minLength: options.wsPerBatch, maxLength: options.wsPerBatch }),
      backends: fc.array(backendInput, { minLength: options.backendsPerBatch, maxLength: options.backendsPerBatch }),
    });
    const live = persistent;
    const property = fc.asyncProperty(batch, async ({ ws, backends }) => {
      report.batches += 1;
      await runAll(ws, 8, (input) => sendWs(broker.wsPort, input));
      report.wsInputs += ws.length;
      await runAll(backends, 4, (input) => sendBackend(broker.tcpPort, input));
      report.backendConnections += backends.length;
      report.backendLines += backends.reduce((n, b) => n + b.lines, 0);
      await check(broker, control, live, report, perBatch);
      options.log?.(`batch ${report.batches}: ${report.wsInputs} ws inputs, ${report.backendConnections} backends, control lost ${report.controlLost}, rss ${broker.rssKb() ?? '?'} KiB`);
    });
    const details = await fc.check(property, { seed: options.seed, numRuns: options.batches, endOnFailure: true });
    if (details.failed) {
      const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const inputs = details.counterexample?.[0];
      const kinds = inputs === undefined ? '' : ` (ws: ${inputs.ws.map((i) => i.label).join(', ')}; backends: ${inputs.backends.map((b) => b.label).join(', ')})`;
      report.failure = `batch ${report.batches} failed: ${error}${kinds}; replay with seed ${details.seed}, fast-check path "${details.counterexamplePath ?? ''}"`;
    }
    report.rssAfterKb = broker.rssKb();
    const cpuAfter = broker.cpuMs();
    report.brokerCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    report.durationMs = Date.now() - startedAt;
  } finally {
    if (!broker.alive()) report.crashes = 1;
    persistent?.close();
    control.close();
    await broker.stop();
  }
  return report;
}

/** The properties every batch must leave true. */
async function check(broker: BrokerProcess, control: ControlBackend, persistent: ControlClient, report: FuzzReport, perBatch: number): Promise<void> {
  if (!broker.alive()) {
    report.crashes = 1;
    throw new Error(`the broker process ended (exit ${broker.child.exitCode}, signal ${broker.child.signalCode})`);
  }
  // The fuzzed peers are gone: only the control backend and client remain (none leaked, none ready that should not be).
  const deadline = Date.now() + 10_000;
  let health = await broker.health();
  while (Date.now() < deadline && (health === undefined || health.backends !== 1 || health.clients !== 1)) {
    await sleep(20);
    health = await broker.health();
  }
  if (health === undefined) throw new Error('/healthz did not answer 200');
  if (health.backends !== 1 || health.clients !== 1) throw new Error(`expected 1 backend and 1 client after the batch, /healthz says ${JSON.stringify(health)}`);
  if (control.closed) throw new Error('the broker dropped the control backend');
  if (persistent.closedWith !== undefined) throw new Error(`the broker closed the control client (${persistent.closedWith})`);
  const fresh = await ControlClient.open(broker.wsPort, `control-${report.batches}`);
  try {
    report.controlSent += 2 * perBatch;
    const lost = (await persistent.roundTrips(perBatch)) + (await fresh.roundTrips(perBatch));
    report.controlLost += lost;
    if (lost > 0) throw new Error(`${lost} of ${2 * perBatch} control messages lost`);
  } finally {
    fresh.close();
  }
}

/** Runs `work` over `items`, `limit` at a time. */
async function runAll<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** Opens a TCP connection; resolves once connected. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the socket closes or after `ms`, then destroys it. */
function closeSoon(socket: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, ms);
    socket.once('close', done);
  });
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** One fuzzed client: upgrade (unless the input replaces it), write the bytes, hang up soon after. */
async function sendWs(port: number, input: WsInput): Promise<void> {
  const socket = await open(port);
  socket.on('error', () => undefined);
  if (input.kind === 'http') {
    socket.write(input.bytes);
    return closeSoon(socket, 50);
  }
  const id = `fuzz-${Math.random().toString(36).slice(2)}`;
  const protocol = input.protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${input.protocol}\r\n`;
  socket.write(`GET /fuzz?id=${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n${protocol}\r\n`);
  const upgraded = await new Promise<boolean>((resolve) => {
    let head = '';
    const timer = setTimeout(() => resolve(false), 10_000);
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve(head.startsWith('HTTP/1.1 101'));
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(false));
  });
  // Read (and drop) what the broker sends back, so that it is never held up by us.
  socket.on('data', () => undefined);
  if (upgraded) socket.write(input.bytes);
  return closeSoon(socket, 30);
}

/** One fuzzed backend: connect, write the bytes (whole or in pieces), hang up soon after. */
async function sendBackend(port: number, input: BackendInput): Promise<void> {
  const socket = await open(port);
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  if (input.chunks.length === 0) socket.write(input.bytes);
  else {
    let at = 0;
    for (let i = 0; at < input.bytes.length; i += 1) {
      const size = input.chunks[i % input.chunks.length] as number;
      socket.write(input.bytes.subarray(at, at + size));
      at += size;
      if (i % 4 === 3) await sleep(1);
    }
  }
  return closeSoon(socket, 50);
}

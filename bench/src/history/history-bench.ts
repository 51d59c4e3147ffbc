// The history bench: room fan-out through one broker with history on and off in the same run (the
// same session clients, rounds alternating), and the time 100 clients take to recover 100 missed
// messages each. Figures: deliveries/s and the broker's CPU ms per 1,000 deliveries.
// Run: pnpm --filter @strands/bench bench:history [--receivers 500] [--messages 2000] [--rounds 3]
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { readCpuMs } from '../servers/cpu-time.js';

const { values } = parseArgs({
  options: { receivers: { type: 'string', default: '500' }, messages: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' }, 'in-flight': { type: 'string', default: '8' } },
});
const RECEIVERS = Number(values.receivers);
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const IN_FLIGHT = Number(values['in-flight']);
const MESSAGE = JSON.stringify({ t: 'x'.repeat(40) });

function startBroker(): Promise<{ child: ChildProcess; wsPort: number; tcpPort: number }> {
  const script = fileURLToPath(new URL('./history-broker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve({ child, ...(JSON.parse(out.slice(0, nl)) as { wsPort: number; tcpPort: number }) });
    });
    child.once('exit', (code) => reject(new Error(`broker exited ${code}`)));
  });
}

/** A bare backend: accepts every client into the room of its path, sends room messages. */
async function startBackend(tcpPort: number): Promise<Socket> {
  const socket = connect(tcpPort, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const frame = JSON.parse(buffer.slice(0, nl)) as { action: string; request_id: string; params: { url: string; query?: Record<string, string[]> } };
      buffer = buffer.slice(nl + 1);
      if (frame.action !== 'connection_request') continue;
      const room = frame.params.url.split('/').pop();
      const id = frame.params.query?.id?.[0];
      socket.write(`${JSON.stringify({ action: 'response', request_id: frame.request_id, params: { accepted: true, room_id: room, client_id: id } })}\n`);
    }
  });
  return socket;
}

function toRoom(backend: Socket, room: string, message: string): void {
  backend.write(`{"action":"message_to_room","request_id":"b","params":{"room_id":${JSON.stringify(room)},"message":${JSON.stringify(message)}}}\n`);
}

interface Receiver {
  ws: WebSocket;
  count: number;
  last: string;
}

async function openReceiver(wsPort: number, room: string, id: string, query = ''): Promise<Receiver> {
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/ws/${room}?id=${id}&strands_session=1${query}`, ['strands.v1']);
  const r: Receiver = { ws, count: 0, last: '' };
  ws.on('message', (data) => {
    r.count += 1;
    r.last = data.toString();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return r;
}

/** Sends MESSAGES into `room`, keeping IN_FLIGHT ahead of the probe receiver; resolves when every receiver has them all. */
async function fanOutRound(backend: Socket, room: string, receivers: Receiver[], brokerPid: number): Promise<{ perSec: number; cpuPer1k: number }> {
  const start = receivers.map((r) => r.count);
  const probe = receivers[receivers.length - 1]!;
  const probeStart = probe.count;
  const cpu0 = readCpuMs(brokerPid) ?? 0;
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      while (sent < MESSAGES && sent - (probe.count - probeStart) < IN_FLIGHT) {
        toRoom(backend, room, MESSAGE);
        sent += 1;
      }
      if (receivers.every((r, i) => r.count - start[i]! >= MESSAGES)) return resolve();
      setImmediate(pump);
    };
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  const deliveries = MESSAGES * receivers.length;
  const cpuMs = (readCpuMs(brokerPid) ?? 0) - cpu0;
  return { perSec: deliveries / seconds, cpuPer1k: (cpuMs / deliveries) * 1000 };
}

/** 100 clients drop, 100 messages go to their room, they all come back asking to recover: time until all are recovered. */
async function recoveryRound(wsPort: number, backend: Socket, clients: number, missed: number, room: string): Promise<{ ms: number; replayed: number }> {
  const receivers = await Promise.all(Array.from({ length: clients }, (_, i) => openReceiver(wsPort, room, `r${i}`)));
  toRoom(backend, room, MESSAGE);
  await waitUntil(() => receivers.every((r) => r.last.startsWith('{"strands":"pub"')));
  const positions = receivers.map((r) => {
    const e = JSON.parse(r.last) as { offset: number; epoch: string };
    return JSON.stringify([[room, e.offset, e.epoch]]);
  });
  for (const r of receivers) r.ws.terminate();
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < missed; i += 1) toRoom(backend, room, MESSAGE);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  let replayed = 0;
  const back = await Promise.all(
    positions.map(async (p, i) => {
      const r = await openReceiver(wsPort, room, `r${i}`, `&strands_recover=${encodeURIComponent(p)}`);
      return r;
    }),
  );
  await waitUntil(() => back.every((r) => r.last.startsWith('{"strands":"recovered"')));
  const ms = performance.now() - t0;
  for (const r of back) replayed += (JSON.parse(r.last) as { replayed: number }).replayed;
  for (const r of back) r.ws.terminate();
  return { ms, replayed };
}

async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 2));
}

const { child, wsPort, tcpPort } = await startBroker();
try {
  const backend = await startBackend(tcpPort);
  const off = await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => openReceiver(wsPort, 'plain', `p${i}`)));
  const on = await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => openReceiver(wsPort, 'hist', `h${i}`)));
  const rows: { round: number; history: string; perSec: number; cpuPer1k: number }[] = [];
  // A warm-up round each, not counted.
  await fanOutRound(backend, 'plain', off, child.pid!);
  await fanOutRound(backend, 'hist', on, child.pid!);
  for (let round = 1; round <= ROUNDS; round += 1) {
    rows.push({ round, history: 'off', ...(await fanOutRound(backend, 'plain', off, child.pid!)) });
    rows.push({ round, history: 'on', ...(await fanOutRound(backend, 'hist', on, child.pid!)) });
  }
  for (const r of [...off, ...on]) r.ws.terminate();
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const summary = (h: string) => ({ perSec: median(rows.filter((r) => r.history === h).map((r) => r.perSec)), cpuPer1k: median(rows.filter((r) => r.history === h).map((r) => r.cpuPer1k)) });
  const offS = summary('off');
  const onS = summary('on');
  console.log(`fan-out, ${RECEIVERS} session clients per room, ${MESSAGES} messages of ${MESSAGE.length} B, ${IN_FLIGHT} in flight, ${ROUNDS} rounds`);
  for (const r of rows) console.log(`  round ${r.round} history ${r.history.padEnd(3)}  ${Math.round(r.perSec).toLocaleString('en-US').padStart(10)} deliveries/s  broker CPU ${r.cpuPer1k.toFixed(3)} ms/1k`);
  console.log(`  median: off ${Math.round(offS.perSec).toLocaleString('en-US')} /s (${offS.cpuPer1k.toFixed(3)} ms/1k), on ${Math.round(onS.perSec).toLocaleString('en-US')} /s (${onS.cpuPer1k.toFixed(3)} ms/1k): history costs ${((1 - onS.perSec / offS.perSec) * 100).toFixed(1)}% of deliveries/s, CPU/1k x${(onS.cpuPer1k / offS.cpuPer1k).toFixed(2)} (target: at most 15%)`);
  // The same reconnects with nothing missed: what the reconnections alone cost.
  const baseline = await recoveryRound(wsPort, backend, 100, 0, 'hist-base');
  const recovery = await recoveryRound(wsPort, backend, 100, 100, 'hist-recover');
  console.log(`recovery: 100 clients missing 100 messages each recovered in ${recovery.ms.toFixed(0)} ms (${recovery.replayed} messages replayed), against ${baseline.ms.toFixed(0)} ms for the same 100 reconnects with nothing missed`);
  backend.destroy();
} finally {
  child.kill('SIGTERM');
}

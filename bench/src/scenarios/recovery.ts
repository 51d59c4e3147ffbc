// Recovery time of room history (issue 13): clients in a room with history drop, messages go to
// the room while they are away, and they all come back at once asking to recover
// (`strands_recover`): the time until every one has had its `recovered`.
import WebSocket from 'ws';
import { BenchError } from '../errors.js';
import { buildMessage, nowMicros } from '../message.js';

/** What one recovery round measured. */
export interface RecoveryRound {
  /** From the first reconnect until the last client had its `recovered`, in ms. */
  ms: number;
  /** Messages replayed to all the clients together. */
  replayed: number;
}

/** One of the broker's frames to a session client (`pub`, `position`, `recovered` ...). */
interface BrokerFrame {
  strands?: string;
  offset?: number;
  epoch?: string;
  replayed?: number;
  reason?: string;
}

/** A session client whose frames are kept from its first byte on (a replay may come with the handshake). */
interface Member {
  ws: WebSocket;
  /** Resolves with the first frame not yet taken that `match` accepts, received or still to come. */
  next: (match: (frame: BrokerFrame) => boolean) => Promise<BrokerFrame>;
}

const TIMEOUT_MS = 30_000;

function member(url: string): Promise<Member> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const kept: BrokerFrame[] = [];
  const waiting: { match: (frame: BrokerFrame) => boolean; resolve: (frame: BrokerFrame) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const text = data.toString();
    if (!text.startsWith('{"strands":')) return;
    const frame = JSON.parse(text) as BrokerFrame;
    const at = waiting.findIndex((w) => w.match(frame));
    if (at === -1) kept.push(frame);
    else waiting.splice(at, 1)[0]?.resolve(frame);
  });
  const next = (match: (frame: BrokerFrame) => boolean) => {
    const at = kept.findIndex(match);
    if (at !== -1) return Promise.resolve(kept.splice(at, 1)[0]!);
    return new Promise<BrokerFrame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchError('child_failed', `no awaited broker frame within ${TIMEOUT_MS} ms on ${url}`)), TIMEOUT_MS);
      waiting.push({ match, resolve: (frame) => { clearTimeout(timer); resolve(frame); } });
    });
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode ?? '?'} on ${url}`)));
  });
}

const isPub = (frame: BrokerFrame) => frame.strands === 'pub';
const isOutcome = (frame: BrokerFrame) => frame.strands === 'recovered' || frame.strands === 'unrecoverable';

/**
 * One round in `room` of a broker whose echo backend sends every message to its sender's room:
 * `clients` session clients learn their position from one message, close (code 4000: not a
 * goodbye), `missed` messages go to the room, and they reconnect together with their position.
 * Throws when a client is told `unrecoverable` or is replayed other than `missed` messages.
 */
export async function recoveryRound(baseUrl: string, room: string, clients: number, missed: number, messageBytes: number): Promise<RecoveryRound> {
  const url = `${baseUrl}/ws/${room}?strands_session=1`;
  const sender = await member(url);
  const open: WebSocket[] = [sender.ws];
  try {
    const members = await Promise.all(Array.from({ length: clients }, () => member(url)));
    open.push(...members.map((m) => m.ws));
    const firsts = members.map((m) => m.next(isPub));
    const senderFirst = sender.next(isPub);
    sender.ws.send(buildMessage(nowMicros(), 0, messageBytes));
    const positions = await Promise.all(firsts);
    const first = await senderFirst;
    await Promise.all(members.map((m) => new Promise((resolve) => { m.ws.once('close', resolve); m.ws.close(4000); })));
    // The sender's own copies say when the room's history holds every missed message.
    const top = (first.offset ?? 0) + missed;
    const caughtUp = missed === 0 ? Promise.resolve(first) : sender.next((f) => isPub(f) && f.offset === top);
    for (let i = 1; i <= missed; i += 1) sender.ws.send(buildMessage(nowMicros(), i, messageBytes));
    await caughtUp;
    const t0 = performance.now();
    const back = await Promise.all(
      positions.map(async (p) => {
        const recover = encodeURIComponent(JSON.stringify([[room, p.offset, p.epoch]]));
        const m = await member(`${url}&strands_recover=${recover}`);
        open.push(m.ws);
        return m;
      }),
    );
    const outcomes = await Promise.all(back.map((m) => m.next(isOutcome)));
    const ms = performance.now() - t0;
    let replayed = 0;
    for (const o of outcomes) {
      if (o.strands !== 'recovered') throw new Error(`a client could not recover: unrecoverable (${o.reason ?? 'no reason'})`);
      if (o.replayed !== missed) throw new Error(`a client was replayed ${o.replayed} messages, not the ${missed} it missed`);
      replayed += o.replayed;
    }
    return { ms, replayed };
  } finally {
    for (const ws of open) ws.terminate();
  }
}

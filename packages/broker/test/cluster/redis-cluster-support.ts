// Test aid for the Redis cluster state tests: brokers on RedisBackplanes with short intervals and a
// handle on each link (to cut it as a crash would), room_members through a backend, and MONITOR.
import { createConnection, type Socket } from 'node:net';
import { createIoredisLink, RedisBackplane, type RedisBackplaneOptions, type RedisLink } from '../../src/cluster/redis/index.js';
import { startBroker, waitFor, type Decide, type Harness, type RawBackend } from '../support/harness.js';

/** One broker of a test cluster. */
export interface RedisNode {
  name: string;
  harness: Harness;
  plane: RedisBackplane;
  /** Its own backend, which accepts everyone (id from `?id=`, room from the path, metadata `{ via: name, id }`). */
  backend: RawBackend;
  /** The node's Redis link, to cut it without a goodbye. */
  link(): RedisLink;
}

let prefixes = 0;

/** A prefix no other test of this run uses, so nodes of one test never hear another's. */
export function freshPrefix(tag: string): string {
  return `${tag}${++prefixes}x${process.pid}`;
}

/** Accepts everyone, with metadata naming the broker the client came through. */
export const acceptVia =
  (broker: string): Decide =>
  (frame) => {
    const id = frame.params.query?.id?.[0];
    const room = String(frame.params.url).split('/').filter(Boolean).at(-1) ?? 'lobby';
    return { accepted: true, client_id: id, room_id: room, metadata: { via: broker, id } };
  };

/**
 * Starts `count` brokers on one prefix, each with a backend, and waits until every node knows the
 * others. Heartbeats every 50 ms (twenty per node timeout), beats and refreshes short; `options` wins.
 */
export async function startRedisCluster(
  url: string,
  count: number,
  options: Partial<RedisBackplaneOptions> = {},
): Promise<{ prefix: string; nodes: RedisNode[]; cleanup(): Promise<void> }> {
  const prefix = options.prefix ?? freshPrefix('rc');
  const nodes: RedisNode[] = [];
  const cleanup = async () => {
    await Promise.all(nodes.map((n) => n.harness.cleanup()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const name = String.fromCharCode(65 + i);
      let link: RedisLink | undefined;
      const plane = new RedisBackplane({
        url,
        prefix,
        nodeId: `${prefix}-${name}`,
        heartbeatIntervalMs: 50,
        nodeTimeoutMs: 1_000,
        requestTimeoutMs: 5_000,
        nodeBeatIntervalMs: 100,
        nodeReapAfterMs: 1_000,
        link: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 200 },
        ...options,
        connect: async (linkOptions) => (link = await createIoredisLink(linkOptions)),
      });
      const harness = await startBroker({ backplane: plane });
      const node: RedisNode = {
        name,
        harness,
        plane,
        backend: undefined as unknown as RawBackend,
        link: () => link as RedisLink,
      };
      nodes.push(node);
      node.backend = await harness.backend(acceptVia(name));
      await node.backend.hello();
    }
    await waitFor(() => nodes.every((n) => n.plane.peers().length === count - 1), 'every node knows the others');
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { prefix, nodes, cleanup };
}

export type Member = { client_id: string; metadata: Record<string, unknown> };

/** `room_members` through `backend`, sorted by client id; rejects on an error_reply. */
export async function roomMembers(backend: RawBackend, room: string): Promise<Member[]> {
  const id = backend.send('room_members', { room_id: room });
  const reply = await backend.waitFrame((f) => (f.action === 'room_members_reply' || f.action === 'error_reply') && f.request_id === id, 'room_members_reply');
  if (reply.action === 'error_reply') throw new Error(`room_members failed: ${JSON.stringify(reply.params)}`);
  return (reply.params.members as Member[]).slice().sort((a, b) => a.client_id.localeCompare(b.client_id));
}

/** Polls `room_members` until it lists exactly `ids`; returns that answer. */
export function membersAre(backend: RawBackend, room: string, ids: string[]): Promise<Member[]> {
  const wanted = [...ids].sort().join(',');
  return waitFor(async () => {
    const members = await roomMembers(backend, room);
    return members.map((m) => m.client_id).join(',') === wanted ? members : undefined;
  }, `members of ${room} to be ${wanted}`);
}

/**
 * Every command Redis runs, as MONITOR streams it (in execution order), read on a plain socket:
 * ioredis' monitor mode can fail with "Command queue state error" when lines arrive before it
 * has taken MONITOR's own reply.
 */
export class Monitor {
  readonly commands: string[][] = [];
  private buffered = '';
  private constructor(private readonly socket: Socket) {}

  static async start(url: string): Promise<Monitor> {
    const { hostname, port } = new URL(url);
    const socket = createConnection({ host: hostname, port: Number(port) });
    socket.setEncoding('latin1');
    socket.on('error', () => undefined);
    const monitor = new Monitor(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', (chunk: string) => {
        if (monitor.read(chunk)) resolve();
      });
      socket.write('MONITOR\r\n');
    });
    return monitor;
  }

  /** The PUBLISHes seen so far whose payload contains `text`. */
  publishes(text: string): { channel: string; payload: string }[] {
    return this.commands
      .filter((c) => c[0]?.toLowerCase() === 'publish' && (c[2] ?? '').includes(text))
      .map((c) => ({ channel: c[1] as string, payload: c[2] as string }));
  }

  stop(): void {
    this.socket.destroy();
  }

  /** Takes whole lines; true once MONITOR's `+OK` came. */
  private read(chunk: string): boolean {
    this.buffered += chunk;
    let ok = false;
    for (let end = this.buffered.indexOf('\r\n'); end >= 0; end = this.buffered.indexOf('\r\n')) {
      const line = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 2);
      if (line === '+OK') ok = true;
      else if (line.startsWith('+')) this.commands.push(monitorArgs(line));
    }
    return ok;
  }
}

/** The quoted arguments of a MONITOR line (`+<time> [<db> <addr>] "cmd" "arg" ...`), unescaped as Redis' sdscatrepr escapes them. */
function monitorArgs(line: string): string[] {
  const args: string[] = [];
  let i = line.indexOf('"');
  while (i >= 0 && i < line.length) {
    let bytes = '';
    i += 1;
    while (i < line.length && line[i] !== '"') {
      const ch = line[i] as string;
      if (ch !== '\\') {
        bytes += ch;
        i += 1;
        continue;
      }
      const next = line[i + 1] as string;
      if (next === 'x') {
        bytes += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      bytes += ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' } as Record<string, string>)[next] ?? next;
      i += 2;
    }
    args.push(Buffer.from(bytes, 'latin1').toString('utf8'));
    i = line.indexOf('"', i + 1);
  }
  return args;
}

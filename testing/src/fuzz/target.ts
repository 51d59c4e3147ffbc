// The fuzz target: a real strands-broker process, a control backend and a control client that
// must keep completing round trips whatever the fuzzed peers send.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/** Linux's USER_HZ: /proc times are in hundredths of a second. */
const CLOCK_TICKS = 100;
const brokerDir = fileURLToPath(new URL('../../../packages/broker/', import.meta.url));

/** A broker process and its ports. */
export interface BrokerProcess {
  child: ChildProcess;
  wsPort: number;
  tcpPort: number;
  /** True while the process runs. */
  alive(): boolean;
  /** Resident set size in KiB (from /proc), or undefined off Linux. */
  rssKb(): number | undefined;
  /** CPU time (user + system) the process used so far, in ms (from /proc), or undefined off Linux. */
  cpuMs(): number | undefined;
  /** GET /healthz: its JSON, or undefined when it does not answer 200. */
  health(): Promise<{ clients: number; backends: number } | undefined>;
  stop(): Promise<number | null>;
}

/** Starts `strands-broker` (the CLI, through tsx) on free loopback ports. */
export async function startBrokerProcess(args: string[] = []): Promise<BrokerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'error', ...args], {
    cwd: brokerDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  // Kept short: only the tail matters when it dies.
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  let match: RegExpExecArray | null = null;
  while (match === null) {
    match = /clients ws:\/\/127\.0\.0\.1:(\d+).*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode} before listening: ${err}`);
    if (Date.now() - started > 30_000) throw new Error(`broker did not say it listens within 30 s: ${out} ${err}`);
    await sleep(20);
  }
  const wsPort = Number(match[1]);
  return {
    child,
    wsPort,
    tcpPort: Number(match[2]),
    alive: () => child.exitCode === null && child.signalCode === null,
    rssKb: () => {
      try {
        const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
        return line === undefined ? undefined : Number(line.replace(/\D+/g, ''));
      } catch {
        return undefined;
      }
    },
    cpuMs: () => {
      try {
        // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
      } catch {
        return undefined;
      }
    },
    health: async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${wsPort}/healthz`, { signal: AbortSignal.timeout(5000) });
        return res.status === 200 ? ((await res.json()) as { clients: number; backends: number }) : undefined;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The well-behaved backend: accepts every client (id from `?id=`), echoes `ctl:` messages to their sender. */
export class ControlBackend {
  /** `new_message` texts received, all clients. */
  received = 0;
  closed = false;
  private buffer = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<ControlBackend> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const backend = new ControlBackend(socket);
    backend.write({ action: 'hello', request_id: 'control-hello', params: { name: 'control', protocol_version: 1 } });
    return backend;
  }

  close(): void {
    this.socket.destroy();
  }

  private write(frame: unknown): void {
    this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  private onData(chunk: string): void {
    const lines = (this.buffer + chunk).split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      let frame: { action?: string; request_id?: string; params?: Record<string, any> };
      try {
        frame = JSON.parse(line) as typeof frame;
      } catch {
        continue;
      }
      const params = frame.params ?? {};
      if (frame.action === 'connection_request') {
        const id = params.query?.id?.[0];
        this.write({ action: 'response', request_id: frame.request_id, params: { accepted: true, client_id: typeof id === 'string' ? id : undefined, room_id: 'fuzz' } });
      } else if (frame.action === 'new_message') {
        this.received += 1;
        const message = params.message;
        const clientId = params.context?.client_id;
        if (typeof message === 'string' && message.startsWith('ctl:')) {
          this.write({ action: 'message_to_connection', request_id: 'echo', params: { conn_id: clientId, message: `echo:${message}` } });
        }
      }
    }
  }
}

/** A well-behaved client that sends numbered `ctl:` messages and counts the echoes. */
export class ControlClient {
  readonly echoes = new Set<string>();
  closedWith: number | undefined;
  private sent = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly id: string,
  ) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('echo:ctl:')) this.echoes.add(text.slice('echo:'.length));
    });
    ws.on('close', (code) => (this.closedWith = code));
    ws.on('error', () => undefined);
  }

  static open(wsPort: number, id: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/fuzz?id=${id}`);
      const client = new ControlClient(ws, id);
      const timer = setTimeout(() => reject(new Error(`control client ${id} did not open within 10 s`)), 10_000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('unexpected-response', (_req, res) => reject(new Error(`control client ${id} refused: HTTP ${res.statusCode}`)));
      ws.once('error', (e) => reject(e));
    });
  }

  /** Sends `count` messages; resolves with how many echoes did not come back within `timeoutMs`. */
  async roundTrips(count: number, timeoutMs = 10_000): Promise<number> {
    const expected: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const text = `ctl:${this.id}:${(this.sent += 1)}`;
      expected.push(text);
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !expected.every((t) => this.echoes.has(t))) await sleep(5);
    return expected.filter((t) => !this.echoes.has(t)).length;
  }

  close(): void {
    this.ws.terminate();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A real broker and a real @strands/backend for the end-to-end tests, on port 0, with a
// broker that can be restarted on the same ports (as a redeploy would).
import { createBackend, RouteError, Router, type StrandsBackend } from '@strands/backend';
import { createBroker, type Broker, type BrokerOptions } from '@strands/broker';
import { defineContract, route } from '@strands/protocol';
import { z } from 'zod';
import { Inbox } from './inbox.js';

/** The routes the browser tests call, and the events the backend pushes to them. */
export const e2eContract = defineContract({
  routes: {
    'math.add': route.response(z.object({ a: z.number(), b: z.number() }), z.number()),
    'math.fail': route.response(z.object({}), z.number()),
    'ticks.count': route.stream(z.object({ from: z.number() }), z.number()),
  },
  events: {
    'chat.message': z.object({ from: z.string(), text: z.string(), at: z.number().transform((ms) => new Date(ms)) }),
    'chat.cleared': z.null(),
  },
});
export type E2EContract = typeof e2eContract;

/** What the backend saw of a stream, for assertions. */
export interface StreamRecord {
  produced: number;
  cancelled: Promise<string>;
}

export interface Stack {
  wsUrl: string;
  /** The backend's router: `stack.router.sendEvent(room, ...)` pushes a contract event (rooms are the paths). */
  router: Router<E2EContract>;
  /** The backend itself, for raw sends. */
  backend: StrandsBackend;
  /** Every connection request the backend answered: path and whether it was accepted. */
  decisions: { path: string; accepted: boolean }[];
  /** Streams the backend opened, in order. */
  streams: Inbox<StreamRecord>;
  /** Stops the broker: clients are closed with 1001, the backend loses its link. */
  stopBroker(): Promise<void>;
  /** Starts a new broker on the same ports (the backend reconnects by itself). */
  startBroker(): Promise<void>;
  /** Waits until the backend is connected to the current broker. */
  backendConnected(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(extra: BrokerOptions = {}): Promise<Stack> {
  const brokerOptions = { host: '127.0.0.1', tcpHost: '127.0.0.1', logLevel: 'silent' as const, ...extra };
  let broker: Broker = createBroker({ ...brokerOptions, wsPort: 0, tcpPort: 0 });
  const { wsUrl, wsPort, tcpPort } = await broker.start();

  const decisions: Stack['decisions'] = [];
  const streams = new Inbox<StreamRecord>();
  const backend: StrandsBackend = createBackend({
    brokers: `127.0.0.1:${tcpPort}`,
    logLevel: 'silent',
    reconnectInitialDelayMs: 20,
    reconnectMaxDelayMs: 200,
  });
  backend.onConnectionRequest((request) => {
    // `?reject=reason` refuses (with `?status=`, default 403); `?id=` picks the client id (a second one replaces the first).
    const reason = request.query.reject?.[0];
    decisions.push({ path: request.path, accepted: reason === undefined });
    if (reason !== undefined) return { accept: false, status: Number(request.query.status?.[0] ?? 403), reason };
    return { accept: true, roomId: request.path, clientId: request.query.id?.[0] ?? request.clientId };
  });
  // Room chat: every plain message goes to the sender's room, binary as binary.
  backend.onMessage((message) => backend.sendToRoom(message.client.roomId, message.isBinary ? message.bytes() : message.message));
  const router = new Router(e2eContract)
    .response('math.add', ({ a, b }) => a + b)
    .response('math.fail', () => {
      throw new RouteError('no luck today');
    })
    .stream('ticks.count', async function* ({ from }, { signal }) {
      const record: StreamRecord = {
        produced: 0,
        cancelled: new Promise((resolve) => signal.addEventListener('abort', () => resolve(String(signal.reason)))),
      };
      streams.push(record);
      for (let n = from; ; n++) {
        record.produced++;
        yield n;
      }
    });
  backend.use(router);
  await backend.start();

  const backendConnected = async (): Promise<void> => {
    if (backend.connectedBrokers.length > 0) return;
    await new Promise<void>((resolve) => {
      const off = backend.onBrokerConnect(() => {
        off();
        resolve();
      });
    });
  };

  return {
    wsUrl,
    router,
    backend,
    decisions,
    streams,
    backendConnected,
    stopBroker: () => broker.stop(),
    async startBroker() {
      broker = createBroker({ ...brokerOptions, wsPort, tcpPort });
      await broker.start();
    },
    async stop() {
      await backend.close({ timeoutMs: 1000 });
      await broker.stop();
    },
  };
}

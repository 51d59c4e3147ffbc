// The subscriber probe's decisions on a hand-driven clock: when it publishes, when it restarts, when it holds off.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SubscriberProbe } from './subscriber-probe.js';

function setup(publishReply: () => Promise<number> = () => Promise.resolve(1)) {
  let now = 1_000;
  const calls = { published: 0, restarts: [] as string[] };
  const probe = new SubscriberProbe(
    { silenceMs: 100, answerTimeoutMs: 50 },
    {
      publish: () => {
        calls.published++;
        return publishReply();
      },
      restart: (reason) => calls.restarts.push(reason),
      now: () => now,
    },
  );
  probe.resume();
  const advance = async (ms: number) => {
    now += ms;
    probe.check();
    await new Promise((resolve) => setImmediate(resolve)); // let the publish promise settle
  };
  return { probe, calls, advance };
}

describe('SubscriberProbe', () => {
  it('publishes only after the silence, and an answer keeps the connection', async () => {
    const { probe, calls, advance } = setup();
    await advance(99);
    expect(calls.published).toBe(0);
    await advance(1);
    expect(calls.published).toBe(1);
    await advance(10);
    expect(calls.published).toBe(1); // one probe at a time
    probe.activity(); // the echo
    await advance(60);
    expect(calls.restarts).toEqual([]);
  });

  it('restarts when the probe goes unanswered, then waits for resume()', async () => {
    const { probe, calls, advance } = setup();
    await advance(100);
    await advance(49);
    expect(calls.restarts).toEqual([]);
    await advance(1);
    expect(calls.restarts).toEqual(['probe unanswered']);
    await advance(1_000);
    expect(calls.published).toBe(1); // paused until the new connection is subscribed
    probe.resume();
    await advance(100);
    expect(calls.published).toBe(2);
  });

  it('restarts at once when Redis says nobody listens on the probe channel', async () => {
    const { calls, advance } = setup(() => Promise.resolve(0));
    await advance(100);
    expect(calls.restarts).toEqual(['probe channel has no subscriber']);
  });

  it('does not blame the subscriber when the probe cannot be published', async () => {
    const { calls, advance } = setup(() => Promise.reject(new Error('command connection down')));
    await advance(100);
    await advance(60);
    expect(calls.restarts).toEqual([]);
    await advance(100);
    expect(calls.published).toBe(2); // tried again after another silence
  });

  it('takes an echo that waits unread when its time runs out (this node was held up), instead of rebuilding the socket', async () => {
    const { probe, calls, advance } = setup();
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const peer = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [here] = (await once(server, 'connection')) as [Socket];
    try {
      here.on('data', () => probe.activity()); // as the link does for every message, the echo included
      await advance(100);
      expect(calls.published).toBe(1);
      peer.write('echo'); // in this node's socket, not read yet
      // The check timer fires late, past the answer timeout, before the loop reads the socket.
      await advance(60);
      expect(calls.restarts).toEqual([]);
    } finally {
      peer.destroy();
      here.destroy();
      server.close();
    }
  });

  it('traffic counts as an answer: a busy subscription is never probed', async () => {
    const { probe, calls, advance } = setup();
    for (let i = 0; i < 10; i++) {
      await advance(90);
      probe.activity();
    }
    expect(calls.published).toBe(0);
  });
});

// Regression tests from the fault and abuse audit: each failed before its fix.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('hardening', () => {
  it('delivers a message sent just before disconnect_connection in the same read, then closes', async () => {
    h = await startBroker();
    const backend = await h.backend();
    for (let trial = 0; trial < 4; trial += 1) {
      const c = await h.client(`/ws/r?id=last-${trial}`);
      const line = (action: string, params: Record<string, unknown>) => `${JSON.stringify({ action, request_id: `t${trial}${action}`, params })}\n`;
      backend.raw(
        line('message_to_connection', { conn_id: `last-${trial}`, message: 'goodbye note' }) +
          line('disconnect_connection', { conn_id: `last-${trial}`, code: 4000, reason: 'done' }),
      );
      expect(await c.waitClose()).toBe(4000);
      expect(c.messages).toEqual(['goodbye note']);
    }
  });

  it('answers actions named like Object.prototype members with unknown_action', async () => {
    h = await startBroker();
    const backend = await h.backend();
    await backend.hello();
    for (const action of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const id = backend.send(action, {});
      const reply = await backend.waitFrame((f) => f.action === 'error_reply' && f.request_id === id, `reply to ${action}`);
      expect(reply.params.code).toBe('unknown_action');
    }
  });

  it('refuses an HTTP request on the backend port: it never acts as a backend', async () => {
    h = await startBroker();
    await h.backend();
    const victim = await h.client('/ws/r?id=victim');
    const body = JSON.stringify({ action: 'disconnect_connection', request_id: 'x', params: { conn_id: 'victim' } });
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(h!.addresses.tcpPort, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write(`POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 1}\r\n\r\n${body}\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    // The victim is still connected and reachable.
    const backend = await h.backend();
    backend.send('message_to_connection', { conn_id: 'victim', message: 'still here' });
    await victim.waitMessage('still here');
    expect(victim.closed).toBe(false);
    await waitFor(() => (h!.broker.stats().backends === 2 ? true : undefined), 'only the two real backends');
  });
});

// Regression tests from the fault and abuse audit: each failed before its fix.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeOf, RawBackend, startBroker, waitFor, type Harness } from './support/harness.js';

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

describe('admission control', () => {
  it('refuses past maxConnections with 503 and Retry-After, counted, and admits again once one left', async () => {
    h = await startBroker({ maxConnections: 2 });
    await h.backend();
    const first = await h.client('/ws/r?id=a');
    await h.client('/ws/r?id=b');
    const refused = await h.attempt('/ws/r?id=c');
    expect(refused).toMatchObject({ kind: 'http', status: 503 });
    expect(refused.kind === 'http' ? refused.headers['retry-after'] : undefined).toBe('5');
    expect((await h.http('/metrics')).body).toContain('strands_rejected_connections_total{reason="max_connections"} 1');
    first.close();
    await first.waitClose();
    await waitFor(async () => ((await h!.attempt('/ws/r?id=d')).kind === 'open' ? true : undefined), 'admitted again');
  });

  it('refuses past maxConnectionsPerIp; strands.v1 clients see 4503 with the reason', async () => {
    h = await startBroker({ maxConnectionsPerIp: 1 });
    await h.backend();
    await h.client('/ws/r?id=one');
    const refused = await closeOf(await h.attempt('/ws/r?id=two', { protocols: ['strands.v1'] }));
    expect(refused).toEqual({ code: 4503, reason: 'too many connections from this address' });
  });

  it('refuses past maxPendingUpgrades without asking the backend', async () => {
    h = await startBroker({ maxPendingUpgrades: 2, connectionRequestTimeoutMs: 60_000 });
    const silent = await h.backend(() => null);
    const waiting = [h.attempt('/ws/r?id=w1'), h.attempt('/ws/r?id=w2')];
    await waitFor(() => (silent.of('connection_request').length === 2 ? true : undefined), 'two requests pending');
    expect(await h.attempt('/ws/r?id=w3')).toMatchObject({ kind: 'http', status: 503, body: 'broker busy: too many connections waiting' });
    expect(silent.of('connection_request')).toHaveLength(2);
    void waiting;
  });
});

describe('deep nesting', () => {
  it('refuses a response whose metadata nests 5,000 levels deep: 502 for the client, error_reply for the backend, the broker lives', async () => {
    // Written by hand: JSON.stringify itself cannot encode what the audit sent.
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    h = await startBroker();
    const backend = await h.backend(() => null);
    await backend.hello();
    const attempt = h.attempt('/ws/r?id=deep');
    const request = await backend.waitFrame((f) => f.action === 'connection_request', 'connection_request');
    backend.raw(`{"action":"response","request_id":${JSON.stringify(request.request_id)},"params":{"accepted":true,"metadata":${deep}}}\n`);
    expect(await attempt).toMatchObject({ kind: 'http', status: 502 });
    const reply = await backend.waitFrame((f) => f.action === 'error_reply', 'error_reply');
    expect(reply.params).toMatchObject({ code: 'invalid_params', action: 'response' });
    expect(String(reply.params.message)).toMatch(/deeper than 64/);
    backend.decide = () => ({ accepted: true, client_id: 'shallow', metadata: { fine: { and: ['shallow'] } } });
    const ok = await h.client('/ws/r?id=shallow');
    backend.send('message_to_connection', { conn_id: 'shallow', message: 'alive' });
    await ok.waitMessage('alive');
  });
});

describe('backends that never answer', () => {
  it('retries a lapsed connection request on another backend within the budget, and benches a backend that keeps lapsing', async () => {
    h = await startBroker({ connectionRequestTimeoutMs: 600 });
    const silent = await h.backend(() => null);
    const answering = await h.backend();
    // Every client is accepted, whichever backend was asked first, until the silent one lapsed three times.
    let clients = 0;
    while (silent.of('connection_request').length < 3 && clients < 30) await h.client(`/ws/r?id=c${clients++}`);
    expect(silent.of('connection_request')).toHaveLength(3);
    expect(silent.of('error')).toHaveLength(3);
    // Benched: new clients go to the answering backend only.
    for (let i = 0; i < 5; i += 1) await h.client(`/ws/r?id=after${i}`);
    expect(silent.of('connection_request')).toHaveLength(3);
    expect(answering.of('connection_request').length).toBe(clients + 5);
  });
});

describe('origins, handshake timeout, backend token', () => {
  it('refuses browsers from origins not in allowedOrigins with 403 before asking a backend', async () => {
    h = await startBroker({ allowedOrigins: ['https://app.example.com', 'https://*.example.org', 'http://localhost:*'] });
    const backend = await h.backend();
    const refused = await h.attempt('/ws/r?id=evil', { headers: { Origin: 'https://evil.example.com' } });
    expect(refused).toMatchObject({ kind: 'http', status: 403, body: 'origin not allowed' });
    expect(await closeOf(await h.attempt('/ws/r?id=evil2', { headers: { Origin: 'https://app.example.com.evil.net' }, protocols: ['strands.v1'] }))).toEqual({
      code: 4403,
      reason: 'origin not allowed',
    });
    expect(backend.of('connection_request')).toHaveLength(0);
    for (const [id, origin] of [['a', 'https://app.example.com'], ['b', 'https://chat.eu.example.org'], ['c', 'http://localhost:5173']]) {
      await h.client(`/ws/r?id=${id as string}`, { headers: { Origin: origin as string } });
    }
    await h.client('/ws/r?id=no-origin');
    expect(backend.of('connection_request')).toHaveLength(4);
    expect((await h.http('/metrics')).body).toContain('strands_rejected_connections_total{reason="origin_refused"} 2');
  });

  it('cuts a client that trickles its upgrade headers past handshakeTimeoutMs', async () => {
    h = await startBroker({ handshakeTimeoutMs: 300 });
    const socket = connect(h.addresses.wsPort, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /ws/slow HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 100);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(trickle);
    expect(socket.destroyed).toBe(true);
  });

  it('requires a backend token when the backend port is not on loopback, and reads one from a file', async () => {
    const { createBroker, isBrokerError } = await import('../src/index.js');
    let caught: unknown;
    try {
      createBroker({ tcpHost: '0.0.0.0' });
    } catch (error) {
      caught = error;
    }
    expect(isBrokerError(caught) && caught.code === 'invalid_option').toBe(true);
    expect(String((caught as Error).message)).toMatch(/backendToken/);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'strands-token-')), 'token');
    writeFileSync(file, 's3cret\n');
    h = await startBroker({ backendTokenFile: file });
    const backend = await RawBackend.connect(h.addresses.tcpPort);
    backend.send('hello', { name: 't', protocol_version: 1, token: 'wrong' }, 'bad');
    await waitFor(() => (backend.closed ? true : undefined), 'wrong token refused');
    const good = await RawBackend.connect(h.addresses.tcpPort);
    good.send('hello', { name: 't', protocol_version: 1, token: 's3cret' }, 'good');
    const reply = await good.waitFrame((f) => f.action === 'hello_reply', 'hello_reply');
    expect(reply.params.accepted).toBe(true);
    good.close();
  });
});

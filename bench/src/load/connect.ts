// Opens many WebSocket clients with a bounded number of handshakes in flight, retrying refusals
// (a broker answers 503 until its backend has registered).
import WebSocket from 'ws';

const MAX_ATTEMPTS = 6;
const RETRY_DELAY_MS = 100;
const HANDSHAKE_TIMEOUT_MS = 15_000;

// A zero mask is legal on the wire and lets ws skip masking: the load generator must spend its
// CPU on load, not on XOR. Servers accept any mask; only browsers need unpredictable ones.
const zeroMask = (): void => {};

/** Result of opening a batch of clients. */
export interface ConnectResult {
  sockets: WebSocket[];
  failed: number;
  firstError: string | undefined;
}

function openOnce(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      generateMask: zeroMask,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    });
    ws.once('open', () => {
      ws.removeAllListeners('error');
      ws.on('error', () => {}); // errors after open show up as 'close'
      resolve(ws);
    });
    ws.once('error', (error) => reject(error));
    ws.once('unexpected-response', (request, response) => {
      request.destroy();
      reject(new Error(`HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trim()));
    });
  });
}

/** Opens one client, retrying a refused or failed handshake a few times. */
export async function openClient(url: string): Promise<WebSocket> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    try {
      return await openOnce(url);
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
    }
  }
  throw lastError;
}

/**
 * Opens `count` clients, at most `concurrency` handshakes at a time; `url` may name each client's
 * URL by its index. The sockets come back in index order (those that failed left out).
 */
export async function openClients(url: string | ((index: number) => string), count: number, concurrency: number): Promise<ConnectResult> {
  const opened: (WebSocket | undefined)[] = new Array(count);
  const urlOf = typeof url === 'string' ? () => url : url;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      try {
        opened[index] = await openClient(urlOf(index));
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const sockets = opened.filter((ws): ws is WebSocket => ws !== undefined);
  return { sockets, failed, firstError };
}

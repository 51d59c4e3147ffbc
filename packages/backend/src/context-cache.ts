// Client contexts by the JSON text they arrive in: a client's context never changes while it is
// connected and every event of it carries the same text, so it is parsed and checked once.
import { readContextJson } from '@strands/protocol/wire';
import { toClientContext, type ClientContext } from './client.js';

/** A client as a broker link knows it, with its id already as JSON (for the reply lines). */
export interface KnownClient {
  readonly client: ClientContext;
  readonly clientIdJson: string;
}

/** Past this many texts the cache starts over (clients come and go; a Map this size costs little to refill). */
const CAPACITY = 8192;

export class ContextCache {
  private readonly known = new Map<string, KnownClient>();

  constructor(private readonly broker: string) {}

  /** The client of a context text, or undefined when the text is not a valid context. */
  read(text: string): KnownClient | undefined {
    const hit = this.known.get(text);
    if (hit !== undefined) return hit;
    const context = readContextJson(text);
    if (context === undefined) return undefined;
    const client = toClientContext(context, this.broker);
    const entry = { client, clientIdJson: JSON.stringify(client.clientId) };
    if (this.known.size >= CAPACITY) this.known.clear();
    // A copy as the key: `text` is a slice of the line it came in, which it would keep alive.
    this.known.set(Buffer.from(text).toString(), entry);
    return entry;
  }

  clear(): void {
    this.known.clear();
  }
}

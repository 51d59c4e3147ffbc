// @strands/browser/contract: the client with runtime validation against a shared contract.
// A separate entry because it runs the contract's schemas (zod, zod/mini, valibot... whatever the
// contract was written with, through Standard Schema's `~standard.validate`); the core stays small.
import { isContract, issuesText, SchemaIssues, validate, type Contract, type RouteDefinition, type StandardSchemaV1 } from '@strands/protocol';
import { StrandsClient, type ClientEvents, type RequestOptions } from './client.js';
import { StrandsClientError } from './errors.js';
import { resolveOptions, type ConnectOptions } from './options.js';
import type { FireRoute, InputOf, ItemOf, OutputOf, RequestRoute, StreamRoute } from './types.js';

type StreamRouteDefinition = Extract<RouteDefinition, { kind: 'stream' }>;

/** Options of the validating client: the core's, and where refused events go. */
export interface ContractConnectOptions extends ConnectOptions {
  /**
   * Called with an `invalid_output` error (cause: `SchemaIssues`) for a pushed event whose data the
   * contract's schema refuses; the event is not emitted.
   * @default console.warn
   */
  onInvalidEvent?: (error: StrandsClientError) => void;
}

async function check(schema: StandardSchemaV1, value: unknown, code: 'invalid_input' | 'invalid_output', route: string): Promise<unknown> {
  const result = await validate(schema, value);
  if (result.issues === undefined) return result.value;
  throw new StrandsClientError(code, `route "${route}": ${code.replace('_', ' ')}: ${issuesText(result.issues)}`, {
    cause: new SchemaIssues(result.issues),
  });
}

/**
 * A {@link StrandsClient} that checks every input before sending it and every output or
 * stream item on arrival, against the contract's schemas (any Standard Schema). Inputs are sent
 * as given (the backend parses them itself); outputs are returned parsed. Failures are
 * `invalid_input` / `invalid_output` errors whose `cause` is a `SchemaIssues` with the schema's issues.
 */
export class ContractClient<C extends Contract> extends StrandsClient<C> {
  private readonly onInvalidEvent: (error: StrandsClientError) => void;

  constructor(
    private readonly contract: C,
    url: string | (() => string),
    options: ContractConnectOptions = {},
  ) {
    if (!isContract(contract)) throw new TypeError('@strands/browser: not a contract (use defineContract)');
    const { onInvalidEvent = (error) => console.warn(error), ...core } = options;
    super(url, resolveOptions(core));
    this.onInvalidEvent = onInvalidEvent;
  }

  // Contract events are emitted parsed by their schema (in arrival order when the schema is sync);
  // data it refuses goes to onInvalidEvent. An event the contract lacks is emitted as it came.
  protected override emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    const events = this.contract.events as Partial<Record<PropertyKey, StandardSchemaV1>> | undefined;
    const schema = Object.hasOwn(events ?? {}, event) ? events![event] : undefined;
    if (schema === undefined) return super.emit(event, payload);
    const done = (result: StandardSchemaV1.Result<unknown>): void => {
      if (result.issues === undefined) return super.emit(event, result.value as never);
      const name = String(event);
      this.onInvalidEvent(
        new StrandsClientError('invalid_output', `event "${name}": invalid output: ${issuesText(result.issues)}`, { cause: new SchemaIssues(result.issues) }),
      );
    };
    const result = validate(schema, payload);
    if (result instanceof Promise) result.then(done, (cause: unknown) => this.onInvalidEvent(new StrandsClientError('invalid_output', `event "${String(event)}": the schema failed`, { cause })));
    else done(result);
  }

  override async request<K extends RequestRoute<C>>(
    route: K,
    input: InputOf<C, K>,
    options?: RequestOptions,
  ): Promise<OutputOf<C, K>> {
    const def = this.route(route, 'response');
    await check(def.input, input, 'invalid_input', route);
    const output = await super.request(route, input, options);
    return check(def.output, output, 'invalid_output', route) as OutputOf<C, K>;
  }

  override stream<K extends StreamRoute<C>>(route: K, input: InputOf<C, K>): AsyncIterable<ItemOf<C, K>> {
    const inner = super.stream(route, input);
    const resolveRoute = () => this.route(route, 'stream');
    // A plain iterator, not an async generator: its return() reaches the stream at once, even while
    // a next() waits for an item (a generator would queue it behind that next()), so a page can
    // stop listening whenever it likes.
    return {
      [Symbol.asyncIterator](): AsyncIterator<ItemOf<C, K>> {
        let opened: Promise<{ items: AsyncIterator<unknown>; def: StreamRouteDefinition }> | undefined;
        const open = () =>
          (opened ??= (async () => {
            const def = resolveRoute();
            await check(def.input, input, 'invalid_input', route);
            return { items: inner[Symbol.asyncIterator](), def };
          })());
        return {
          async next() {
            const { items, def } = await open();
            const step = await items.next();
            if (step.done) return { value: undefined, done: true };
            try {
              return { value: (await check(def.item, step.value, 'invalid_output', route)) as ItemOf<C, K>, done: false };
            } catch (error) {
              await items.return?.(); // a bad item cancels the stream on the backend
              throw error;
            }
          },
          async return() {
            const current = await opened?.catch(() => undefined);
            await current?.items.return?.();
            return { value: undefined, done: true };
          },
        };
      },
    };
  }

  override async fire<K extends FireRoute<C>>(route: K, input: InputOf<C, K>): Promise<void> {
    await check(this.route(route, 'fire').input, input, 'invalid_input', route);
    return super.fire(route, input);
  }

  private route<T extends RouteDefinition['kind']>(name: string, kind: T): Extract<RouteDefinition, { kind: T }> {
    const def = (this.contract.routes as Partial<Record<string, RouteDefinition>>)[name];
    if (def?.kind !== kind) {
      throw new StrandsClientError('invalid_input', `route "${name}" is not a ${kind} route of the contract`);
    }
    return def as Extract<RouteDefinition, { kind: T }>;
  }
}

/**
 * Like `connect`, with routes typed and validated by `contract`.
 * @example
 * const client = connectWithContract('wss://example.com/ws/lobby', chat);
 * const names = await client.request('chat.who', {}); // string[], checked at runtime
 */
export function connectWithContract<C extends Contract>(
  url: string | (() => string),
  contract: C,
  options?: ContractConnectOptions,
): ContractClient<C> {
  return new ContractClient(contract, url, options);
}

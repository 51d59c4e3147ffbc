// Mutations of valid wire values: a key deleted, set to null, to a value of another type or at a
// boundary, a key added; or the whole line broken. Used against both the fast and the zod readers.
import fc from 'fast-check';
import { BackendFrameSchema, BrokerFrameSchema } from '../../src/index.js';
import { BACKEND_ACTIONS, BROKER_ACTIONS } from '../../src/wire/index.js';

/** Frames are told apart by `action`. */
export const ACTION_TAG: Tag = { key: 'action', values: [...BROKER_ACTIONS, ...BACKEND_ACTIONS] };
import { anyJson } from './json-arbitraries.js';

/** The param names of each action (both directions), so that a mutation can set one a frame left out. */
export const PARAM_NAMES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  [...BrokerFrameSchema.options, ...BackendFrameSchema.options].map((o) => [o.shape.action.value, Object.keys(o.shape.params.shape)]),
);

type Path = Array<string | number>;

/** Values chosen to sit on a type or range boundary of some param. */
export const BOUNDARY_VALUES: readonly unknown[] = [
  null, true, false, 0, -0, -1, 1.5, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e21, 399, 400, 599, 600, 999, 1000, 1001, 2999, 3000, 4999, 5000,
  '', 'x', 'base64', 'hex', 'invalid_params', 'teleport', [], ['x'], [1], [null], {}, { a: [] }, { a: ['x'] },
  { client_id: 'c', room_id: 'r' }, { client_id: 'c', room_id: 'r', metadata: null }, { client_id: 'c', room_id: 'r', metadata: [] },
  { client_id: 'c', room_id: 5, metadata: {} }, [{ client_id: 'c', metadata: {} }], [{ client_id: 'c' }],
  ...BROKER_ACTIONS, ...BACKEND_ACTIONS,
];
const boundary = fc.constantFrom(...BOUNDARY_VALUES);

/** Every path to a value inside `value` (object keys and array indices), the root excluded. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: Path[] = [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    out.push(...paths(child, [...prefix, key]));
  }
  return out;
}

type Change =
  | { kind: 'delete' }
  | { kind: 'set'; value: unknown }
  | { kind: 'add'; key: string; value: unknown }
  | { kind: 'param'; pick: number; value: unknown }
  | { kind: 'retype'; pick: number };

/** One value of each JSON type (and shape), to swap a value for one of another type. */
const TYPE_SAMPLES: readonly unknown[] = ['s', '', 0, 1.5, true, null, [], ['s'], [0], {}, { a: 's' }, { a: ['s'] }];

function jsonType(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** A sample of another JSON type than `value`'s. */
function retyped(value: unknown, pick: number): unknown {
  const others = TYPE_SAMPLES.filter((s) => jsonType(s) !== jsonType(value));
  return structuredClone(others[pick % others.length]);
}

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.constant<Change>({ kind: 'delete' }),
  fc.constant<Change>({ kind: 'set', value: null }),
  boundary.map((value): Change => ({ kind: 'set', value })),
  anyJson.map((value): Change => ({ kind: 'set', value })),
  fc.tuple(fc.string({ maxLength: 6 }), anyJson).map(([key, value]): Change => ({ kind: 'add', key, value })),
  { weight: 3, arbitrary: fc.nat().map((pick): Change => ({ kind: 'retype', pick })) },
  // A param of the frame's action set (even one the frame left out) to a boundary value, another value, or null.
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(), fc.oneof(boundary, anyJson, fc.constant(null)))
      .map(([pick, value]): Change => ({ kind: 'param', pick, value })),
  },
);

function apply(original: unknown, pick: number, c: Change): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(original));
  if (c.kind === 'param') {
    const { action, params } = copy as { action?: unknown; params?: unknown };
    const names = typeof action === 'string' && Object.hasOwn(PARAM_NAMES, action) ? PARAM_NAMES[action]! : [];
    if (names.length > 0 && typeof params === 'object' && params !== null) {
      (params as Record<string, unknown>)[names[c.pick % names.length]!] = c.value;
    }
    return copy;
  }
  const all = paths(copy);
  if (all.length === 0) return c.kind === 'set' ? c.value : copy;
  const path = all[pick % all.length]!;
  let holder = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (c.kind === 'delete') {
    if (Array.isArray(holder)) holder.splice(last as number, 1);
    else delete holder[last];
  } else if (c.kind === 'set') {
    holder[last] = c.value;
  } else if (c.kind === 'retype') {
    holder[last] = retyped(holder[last], c.pick);
  } else {
    const target = holder[last];
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) (target as Record<string, unknown>)[c.key] = c.value;
    else holder[last] = { [c.key]: c.value };
  }
  return copy;
}

/** The key that says what a value is (`action`, `strands`), and values to put there. */
export interface Tag {
  key: string;
  values: readonly string[];
}

/**
 * Lines made from valid values: one to three changes at random paths, the tag swapped for another
 * (known or not), a line cut short (not JSON), another JSON value altogether, or no change.
 */
export function mutatedLines(valid: fc.Arbitrary<unknown>, tag: Tag): fc.Arbitrary<string> {
  const changed = fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), change), { minLength: 1, maxLength: 3 }))
    .map(([value, changes]) => JSON.stringify(changes.reduce((v, [pick, c]) => apply(v, pick, c), value)));
  const cut = fc.tuple(valid, fc.nat()).map(([value, at]) => {
    const line = JSON.stringify(value);
    return line.slice(0, 1 + (at % (line.length - 1)));
  });
  const other = anyJson.map((v) => JSON.stringify(v));
  const swapped = fc
    .tuple(valid, fc.oneof(fc.constantFrom(...tag.values), fc.string({ maxLength: 8 })))
    .map(([value, name]) => JSON.stringify({ ...(value as object), [tag.key]: name }));
  return fc.oneof(
    { weight: 6, arbitrary: changed },
    { weight: 1, arbitrary: swapped },
    { weight: 1, arbitrary: cut },
    { weight: 1, arbitrary: other },
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v)) },
  );
}

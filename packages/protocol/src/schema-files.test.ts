// The JSON Schema files in schema/ must match the zod schemas: run `pnpm schema` after changing a frame.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, SCHEMA_ID_BASE, buildSchemaFiles } from '../scripts/json-schemas.js';

const PYSTRANDS_ACTIONS = [
  'connection_request', 'new_connection', 'new_message', 'disconnected', 'error', 'heartbeat',
  'response', 'message_to_room', 'message_to_connection', 'broadcast',
];
const STRANDS_ACTIONS = [
  'hello', 'hello_reply', 'join_room', 'leave_room', 'disconnect_connection', 'room_members',
  'room_members_reply', 'error_reply', 'room_history', 'room_history_reply', 'set_room_history',
];

describe('schema/', () => {
  const expected = buildSchemaFiles();

  it('holds exactly the generated files, byte for byte (run `pnpm schema` if this fails)', () => {
    const onDisk = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(onDisk).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(SCHEMA_DIR + name, 'utf8'), name).toBe(text);
  });

  it.each([...PYSTRANDS_ACTIONS, ...STRANDS_ACTIONS])('names the action %s', (action) => {
    const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}${action}.json`, 'utf8'));
    expect(schema.title).toBe(action);
    expect(schema.properties.action.const).toBe(action);
    expect(schema.required).toEqual(['action', 'request_id', 'params']);
  });

  it('gives every file a unique, URL-like $id that names the file', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'));
    const ids = files.map((file) => (JSON.parse(readFileSync(SCHEMA_DIR + file, 'utf8')) as { $id?: unknown }).$id);
    expect(ids).toEqual(files.map((file) => `https://strands.dev/schema/v1/${file}`));
    expect(new Set(ids).size).toBe(files.length);
    expect(SCHEMA_ID_BASE).toBe('https://strands.dev/schema/v1/');
  });

  it('exports the files as @strands/protocol/schema/<name>.json (require, and import with type json)', async () => {
    // Node resolves a package's own name through its `exports`: what an installed user gets.
    const require = createRequire(import.meta.url);
    expect(require.resolve('@strands/protocol/schema/hello.json')).toBe(`${SCHEMA_DIR}hello.json`);
    expect(require('@strands/protocol/schema/hello.json')).toMatchObject({ $id: 'https://strands.dev/schema/v1/hello.json', title: 'hello' });
    // ESM from a real Node (vitest would resolve it its own way), in the package's own directory.
    const script = "import s from '@strands/protocol/schema/context.json' with { type: 'json' }; process.stdout.write(s.$id)";
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${SCHEMA_DIR}..`, encoding: 'utf8' })).toBe(
      'https://strands.dev/schema/v1/context.json',
    );
  });
});

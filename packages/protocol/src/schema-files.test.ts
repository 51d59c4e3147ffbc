// The JSON Schema files in schema/ must match the zod schemas: run `pnpm schema` after changing a frame.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, buildSchemaFiles } from '../scripts/json-schemas.js';

const PYSTRANDS_ACTIONS = [
  'connection_request', 'new_connection', 'new_message', 'disconnected', 'error', 'heartbeat',
  'response', 'message_to_room', 'message_to_connection', 'broadcast',
];
const STRANDS_ACTIONS = [
  'hello', 'hello_reply', 'join_room', 'leave_room', 'disconnect_connection', 'room_members',
  'room_members_reply', 'error_reply',
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
});

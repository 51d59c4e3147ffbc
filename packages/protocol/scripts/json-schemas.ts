// Generates packages/protocol/schema/*.json (one JSON Schema per action) from the zod schemas,
// for peers written in other languages. `pnpm schema` writes them; a test fails when they are stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  BackendFrameSchema,
  BrokerFrameSchema,
  ContextSchema,
  EnvelopeSchema,
  SendAcceptedFrameSchema,
  SendConfirmFrameSchema,
  SendRefusedFrameSchema,
} from '../src/index.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

type Direction = 'broker-to-backend' | 'backend-to-broker';

/** Where `$id`s point: stable per protocol version, one file per id (`<base><file name>`). */
export const SCHEMA_ID_BASE = 'https://strands.dev/schema/v1/';

function actionSchema(schema: z.ZodType, action: string, direction: Direction): object {
  return {
    title: action,
    description: `Frame "${action}", sent ${direction.replaceAll('-', ' ')}.`,
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
  };
}

/** Every schema file: name -> JSON text (stable formatting, trailing newline). */
export function buildSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  // `$id` first, then the rest as generated: every file names itself, so that `$ref`s across files resolve.
  const add = (name: string, value: object) => files.set(name, `${JSON.stringify({ $id: SCHEMA_ID_BASE + name, ...value }, null, 2)}\n`);
  for (const option of BrokerFrameSchema.options) {
    const action = option.shape.action.value;
    add(`${action}.json`, actionSchema(option, action, 'broker-to-backend'));
  }
  for (const option of BackendFrameSchema.options) {
    const action = option.shape.action.value;
    add(`${action}.json`, actionSchema(option, action, 'backend-to-broker'));
  }
  add('context.json', { title: 'Context', ...z.toJSONSchema(ContextSchema, { io: 'input' }) });
  add('envelope.json', {
    title: 'Envelope',
    description: 'Reactive-route envelope, carried as JSON inside a message string.',
    ...z.toJSONSchema(EnvelopeSchema, { io: 'input' }),
  });
  // Text frames between a strands.v1 client and the broker about the client's own sends.
  const sendFrames: [string, z.ZodType, string][] = [
    ['send_confirm', SendConfirmFrameSchema, 'client to broker: the next message is a confirmed send'],
    ['send_accepted', SendAcceptedFrameSchema, 'broker to client: a confirmed send was passed on or queued'],
    ['send_refused', SendRefusedFrameSchema, 'broker to client: a message of this client was refused or dropped'],
  ];
  for (const [name, schema, description] of sendFrames) {
    add(`${name}.json`, { title: name, description: `WebSocket text frame, ${description}.`, ...z.toJSONSchema(schema, { io: 'input' }) });
  }
  return files;
}

function writeAll(): void {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const old of readdirSync(SCHEMA_DIR)) if (old.endsWith('.json')) rmSync(SCHEMA_DIR + old);
  const files = buildSchemaFiles();
  for (const [name, text] of files) writeFileSync(SCHEMA_DIR + name, text);
  console.log(`wrote ${files.size} schema files to ${SCHEMA_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeAll();

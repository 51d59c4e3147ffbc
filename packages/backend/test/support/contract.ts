// The contract the router tests share with their (raw ws) clients.
import { defineContract, route } from '@strands/protocol';
import { z } from 'zod';

export const testContract = defineContract({
  'chat.send': route.response(z.object({ text: z.string().min(1) }), z.object({ id: z.number(), echo: z.string() })),
  'chat.fail': route.response(z.object({ kind: z.enum(['crash', 'refuse']) }), z.object({})),
  'chat.bad': route.response(z.object({}), z.object({ ok: z.literal(true) })),
  'chat.note': route.fire(z.object({ note: z.string() })),
  count: route.stream(z.object({ to: z.number().int().nonnegative() }), z.object({ n: z.number() })),
  forever: route.stream(z.object({}), z.number()),
  unserved: route.response(z.object({}), z.object({})),
  slow: route.response(z.object({}), z.object({})),
  'slow.note': route.fire(z.object({})),
});

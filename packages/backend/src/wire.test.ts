import { describe, expect, it } from 'vitest';
import { decodeBrokerLine } from './wire.js';

describe('decodeBrokerLine', () => {
  const context = '{"client_id":"c1","room_id":"r","metadata":{"a":{"b":1}}}';
  it('reads new_message lines the same way with and without the fast path', () => {
    const lines = [
      `{"action":"new_message","request_id":"x-1","params":{"message":"hi é","context":${context}}}`,
      `{"action":"new_message","request_id":"x-1","params":{"message":"say \\"hi\\"","context":${context}}}`,
      `{"action":"new_message","request_id":"x-1","params":{"message":"aGk=","context":${context},"encoding":"base64"}}`,
      `{"action":"new_message","request_id":"x-1","params":{"message":"","context":{"client_id":"c1","room_id":"r"}}}`,
    ];
    for (const line of lines.slice(0, 3)) expect(decodeBrokerLine(line)).toEqual({ frame: JSON.parse(line) });
    expect(decodeBrokerLine(lines[3]!)).toMatchObject({ frame: { params: { context: { metadata: {} } } } });
  });

  it('refuses malformed new_message lines precisely', () => {
    const bad = decodeBrokerLine(`{"action":"new_message","request_id":"x-1","params":{"message":"a","context":{"client_id":1}}}`);
    expect(bad).toHaveProperty('error');
    expect(decodeBrokerLine(`{"action":"new_message","request_id":"x-1","params":{"message":"a","context":${context}}}}`)).toMatchObject({
      error: { code: 'invalid_json' },
    });
  });
});

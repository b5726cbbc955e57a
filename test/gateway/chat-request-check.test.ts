import assert from 'node:assert/strict';
import { test } from 'node:test';
import { obviouslyValidChatRequest } from '../../proxy/dialects/openai-chat/decode-request.js';
import { chatRequestSchema } from '../../proxy/dialects/openai-chat/decode-request.js';

const valid = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/** Values each field may take, good and bad, combined below. */
const variants: Record<string, unknown[]> = {
  model: [undefined, null, '', 'm', 3, ['m'], {}],
  messages: [undefined, null, [], [{ role: 'user' }], [{ role: 'developer', content: 'x' }], [{ role: 'robot' }], [{}], [null], ['user'], [[{ role: 'user' }]], { 0: { role: 'user' } }, [{ role: 'user' }, { role: 4 }]],
  stream: [undefined, null, true, false, 'true', 0],
  stream_options: [undefined, null, {}, { include_usage: true }, { include_usage: 'yes' }, { include_usage: null }, [], 'x'],
  n: [undefined, null, 1, 128, 0, 129, 1.5, '2', -1],
  tools: [undefined, null, [], [{ type: 'function' }], [{ type: 3 }], [{}], [null], {}, 'x'],
};

/** A seeded generator (mulberry32): the same bodies on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
};

test('the fast check never accepts a body the schema refuses, and accepts the ordinary ones', () => {
  let accepted = 0;
  const random = seeded(8);
  for (let round = 0; round < 20_000; round += 1) {
    const body: Record<string, unknown> = { ...valid, extra: { kept: true } };
    for (const [field, values] of Object.entries(variants)) {
      // Most fields keep the valid default, so valid bodies are common.
      if (random() < 0.6) continue;
      const value = values[Math.floor(random() * values.length)];
      if (value === undefined) delete body[field];
      else body[field] = value;
    }
    const fast = obviouslyValidChatRequest(body);
    const zod = chatRequestSchema.safeParse(body).success;
    if (fast) {
      accepted += 1;
      assert.equal(zod, true, `fast check accepted what zod refuses: ${JSON.stringify(body)}`);
    }
  }
  assert.ok(accepted > 100, `only ${accepted} bodies took the fast path`);
  assert.equal(obviouslyValidChatRequest(valid), true);
  assert.equal(obviouslyValidChatRequest({ ...valid, stream: true, stream_options: { include_usage: true }, tools: [{ type: 'function' }], n: 2 }), true);
});

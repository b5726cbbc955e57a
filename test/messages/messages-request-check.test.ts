import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messagesRequestSchema, obviouslyValidMessagesRequest } from '../../proxy/dialects/anthropic-messages/request-schema.js';

const valid = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] };

/** Values each field may take, good and bad, combined below. */
const variants: Record<string, unknown[]> = {
  model: [undefined, null, '', 'm', 3, ['m'], {}],
  messages: [
    undefined,
    null,
    [],
    [{ role: 'user', content: 'x' }],
    [{ role: 'assistant', content: [{ type: 'text', text: 'x' }] }],
    [{ role: 'system', content: [] }],
    [{ role: 'user' }],
    [{ role: 'robot', content: 'x' }],
    [{ role: 'user', content: 3 }],
    [{ role: 'user', content: [{ text: 'no type' }] }],
    [{ role: 'user', content: [{ type: 4 }] }],
    [{ role: 'user', content: [null] }],
    [{ role: 'user', content: [['text']] }],
    [{ role: 'user', content: { type: 'text' } }],
    [{}],
    [null],
    ['user'],
    [[{ role: 'user', content: 'x' }]],
    { 0: { role: 'user', content: 'x' } },
    [{ role: 'user', content: 'x' }, { role: 4, content: 'x' }],
  ],
  system: [undefined, null, 'terse', [], [{ type: 'text', text: 'x' }], [{}], [{ type: 1 }], 3, {}, [null]],
  max_tokens: [undefined, null, 1, 32_000, 0, -1, 1.5, '5', 2 ** 53, 1e20, true],
  stream: [undefined, null, true, false, 'true', 0],
  tools: [undefined, null, [], [{ name: 'read' }], [{ name: 3 }], [{}], [null], {}, 'x', [{ name: 'x', input_schema: {} }]],
};

/** A seeded generator (mulberry32): the same bodies on every run. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
  return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
};

test('the fast check of a messages body never accepts what the schema refuses, and accepts the ordinary ones', () => {
  let accepted = 0;
  let refusedByBoth = 0;
  const random = seeded(16);
  for (let round = 0; round < 20_000; round += 1) {
    const body: Record<string, unknown> = { ...valid, metadata: { user_id: 'u' } };
    for (const [field, values] of Object.entries(variants)) {
      if (random() < 0.6) continue;
      const value = values[Math.floor(random() * values.length)];
      if (value === undefined) delete body[field];
      else body[field] = value;
    }
    const fast = obviouslyValidMessagesRequest(body);
    const zod = messagesRequestSchema.safeParse(body).success;
    if (fast) {
      accepted += 1;
      assert.equal(zod, true, `fast check accepted what zod refuses: ${JSON.stringify(body)}`);
    } else if (!zod) refusedByBoth += 1;
  }
  assert.ok(accepted > 100, `only ${accepted} bodies took the fast path`);
  assert.ok(refusedByBoth > 100, `only ${refusedByBoth} bad bodies were generated`);
  assert.equal(obviouslyValidMessagesRequest(valid), true);
  const claudeCodeLike = {
    model: 'claude-sonnet-4-5',
    max_tokens: 32_000,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'fix it' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { path: 'a' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x' }] },
    ],
    tools: [{ name: 'Read', description: 'read a file', input_schema: { type: 'object' } }],
    thinking: { type: 'adaptive' },
  };
  assert.equal(obviouslyValidMessagesRequest(claudeCodeLike), true);
  assert.equal(messagesRequestSchema.safeParse(claudeCodeLike).success, true);
});

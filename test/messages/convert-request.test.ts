import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnthropicRequest } from '../../proxy/dialects/anthropic-messages/wire-types.js';
import { estimateInputTokens } from '../../proxy/dialects/anthropic-messages/estimate-tokens.js';
import { reasoningEffortOf, toChatRequest } from '../../proxy/dialects/anthropic-messages/decode-request.js';
import { assertValidAnthropicStream, type WireEvent } from './anthropic-event-validator.js';

/** Shaped like what Claude Code 2.1.197 sends (system blocks with cache_control, a system message
 * inside `messages`, adaptive thinking, output_config, metadata), cut down to a few turns. */
const claudeCodeLike: AnthropicRequest = {
  model: 'gpt-4o',
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'adaptive' },
  output_config: { effort: 'high' },
  metadata: { user_id: '{"device_id":"abc"}' },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  system: [
    { type: 'text', text: 'You are a coding agent.' },
    { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } } as never,
  ],
  tools: [
    { name: 'Read', description: 'Reads a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } },
    { name: 'web_search', type: 'web_search_20250305' },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  stop_sequences: ['\n\nHuman:'],
  temperature: 0.2,
  top_p: 0.9,
  top_k: 40,
  messages: [
    { role: 'user', content: [{ type: 'text', text: '<system-reminder>ctx</system-reminder>' }, { type: 'text', text: 'read a.txt', cache_control: { type: 'ephemeral' } } as never] },
    { role: 'system', content: 'Available agents: none' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read it', signature: 'sig' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_01', name: 'Read', input: { file_path: 'a.txt' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'hello' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }] },
        { type: 'text', text: 'and this picture' },
        { type: 'image', source: { type: 'url', url: 'https://example.invalid/cat.png' } },
      ],
    },
  ],
};

test('a Claude Code request becomes an OpenAI chat request', () => {
  const chat = toChatRequest(claudeCodeLike, true);
  assert.deepEqual(chat.messages, [
    { role: 'system', content: 'You are a coding agent.\nBe brief.' },
    { role: 'user', content: '<system-reminder>ctx</system-reminder>\nread a.txt' },
    { role: 'system', content: 'Available agents: none' },
    { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'Read', arguments: '{"file_path":"a.txt"}' } }] },
    { role: 'tool', tool_call_id: 'toolu_01', content: 'hello' },
    {
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
        { type: 'text', text: 'and this picture' },
        { type: 'image_url', image_url: { url: 'https://example.invalid/cat.png' } },
      ],
    },
  ]);
  assert.deepEqual(chat.tools, [{ type: 'function', function: { name: 'Read', description: 'Reads a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } } } } }]);
  assert.equal(chat.tool_choice, 'auto');
  assert.equal(chat.parallel_tool_calls, false);
  assert.deepEqual(chat.stop, ['\n\nHuman:']);
  assert.equal(chat.temperature, 0.2);
  assert.equal(chat.top_p, 0.9);
  assert.equal(chat.max_tokens, 32000);
  assert.equal(chat.stream, true);
  assert.equal(chat.reasoning_effort, undefined, 'adaptive thinking leaves the model its default');
  for (const dropped of ['top_k', 'metadata', 'thinking', 'output_config', 'context_management', 'system', 'stop_sequences']) assert.ok(!(dropped in chat), `${dropped} is not sent`);
});

test('tool_choice and explicit thinking map to their OpenAI counterparts', () => {
  const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], tools: [{ name: 't', input_schema: { type: 'object' } }] };
  assert.equal(toChatRequest({ ...base, tool_choice: { type: 'any' } }, false).tool_choice, 'required');
  assert.equal(toChatRequest({ ...base, tool_choice: { type: 'none' } }, false).tool_choice, 'none');
  assert.deepEqual(toChatRequest({ ...base, tool_choice: { type: 'tool', name: 't' } }, false).tool_choice, { type: 'function', function: { name: 't' } });
  assert.equal(toChatRequest({ model: 'm', messages: [], tool_choice: { type: 'any' } }, false).tool_choice, undefined, 'no tools, no tool_choice');
  assert.equal(reasoningEffortOf({ thinking: { type: 'enabled', budget_tokens: 2048 } }), 'low');
  assert.equal(reasoningEffortOf({ thinking: { type: 'enabled', budget_tokens: 10000 } }), 'medium');
  assert.equal(reasoningEffortOf({ thinking: { type: 'enabled', budget_tokens: 32000 } }), 'high');
  assert.equal(reasoningEffortOf({ thinking: { type: 'enabled', budget_tokens: 32000 }, output_config: { effort: 'low' } }), 'low');
  assert.equal(reasoningEffortOf({ thinking: { type: 'disabled' } }), undefined);
});

test('structured output asked through output_config.format becomes a json_schema response_format, strict where OpenAI takes it', () => {
  const formatOf = (schema: Record<string, unknown>) => toChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], output_config: { format: { type: 'json_schema', schema } } }, false).response_format;
  const closed = { type: 'object', properties: { answer: { type: 'string' }, detail: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false } }, required: ['answer', 'detail'], additionalProperties: false };
  assert.deepEqual(formatOf(closed), { type: 'json_schema', json_schema: { name: 'output', schema: closed, strict: true } });
  // An optional property (zod's .optional()) or an open object: strict mode would refuse it (400).
  const optional = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } }, required: ['name'], additionalProperties: false };
  assert.deepEqual(formatOf(optional), { type: 'json_schema', json_schema: { name: 'output', schema: optional } });
  const open = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
  assert.deepEqual(formatOf(open), { type: 'json_schema', json_schema: { name: 'output', schema: open } });
  const nestedOptional = { ...closed, properties: { ...closed.properties, detail: { type: 'object', properties: { n: { type: 'number' } }, required: [], additionalProperties: false } } };
  assert.equal(formatOf(nestedOptional)?.json_schema?.strict, undefined);
  assert.equal(toChatRequest({ model: 'm', messages: [], output_config: { effort: 'high' } }, false).response_format, undefined);
});

test('an errored tool result says so', () => {
  const chat = toChatRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'no such file', is_error: true }] }] }, false);
  assert.deepEqual(chat.messages, [{ role: 'tool', tool_call_id: 'x', content: 'Error: no such file' }]);
});

test('count_tokens grows with the request and counts images', () => {
  const small = estimateInputTokens({ messages: [{ role: 'user', content: 'hi' }] });
  const large = estimateInputTokens(claudeCodeLike);
  assert.ok(small > 0 && small < 10);
  assert.ok(large > small + 1600, 'two images and the tools count');
});

const event = (data: object): WireEvent => ({ name: (data as { type: string }).type, data });
const start = event({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 0, output_tokens: 0 } } });
const end = [event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }), event({ type: 'message_stop' })];

test('the stream validator refuses what the real API never sends', () => {
  const text = event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  const stop = (index: number) => event({ type: 'content_block_stop', index });
  assert.doesNotThrow(() => assertValidAnthropicStream([start, text, stop(0), ...end]));
  assert.throws(() => assertValidAnthropicStream([start, text, ...end]), /while a block is open/);
  assert.throws(() => assertValidAnthropicStream([start, text, event({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }), stop(1), stop(0), ...end]), /still open/);
  assert.throws(() => assertValidAnthropicStream([start, text, event({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{' } }), stop(0), ...end]), /inside a text block/);
  assert.throws(() => assertValidAnthropicStream([start, event({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }), stop(1), ...end]), /increase by one/);
  assert.throws(() => assertValidAnthropicStream([start, ...[...end].reverse()]), /message_stop is the last/);
  assert.throws(() => assertValidAnthropicStream([{ name: undefined, data: start.data }, ...end]), /event: line/);
});

test('documents given as content blocks become text; a document or image the provider cannot be given (by URL, a Files API id) is a 400, not dropped', () => {
  const request = (content: unknown): AnthropicRequest => ({ model: 'm', max_tokens: 64, messages: [{ role: 'user', content: content as never }] });
  const fromContent = toChatRequest(request([{ type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'Chapter one.' }, { type: 'text', text: 'Chapter two.' }] } }, { type: 'text', text: 'Summarize.' }]), false);
  assert.equal(fromContent.messages[0]!.content, 'Chapter one.\nChapter two.\nSummarize.');
  // Once the model answered "Summarize this PDF" without the PDF, and nobody was told.
  for (const block of [
    { type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' } },
    { type: 'document', source: { type: 'file', file_id: 'file_011' } },
    { type: 'image', source: { type: 'file', file_id: 'file_012' } },
  ]) {
    assert.throws(() => toChatRequest(request([block, { type: 'text', text: 'Summarize this.' }]), false), (error: { status?: number; message?: string }) => error.status === 400 && /cannot be sent to this model's provider/.test(error.message ?? ''), JSON.stringify(block));
  }
});

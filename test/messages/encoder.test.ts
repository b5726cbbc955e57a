import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { AnthropicEventEncoder } from '../../proxy/dialects/anthropic-messages/encode-stream.js';
import { collectMessage, formatEvents } from '../../proxy/dialects/anthropic-messages/answer-format.js';
import { assertValidAnthropicStream, parseSse } from './anthropic-event-validator.js';
import { asAsync, recordedAnswer, recordedParts } from './recorded-answers.js';

const encodeAll = (parts: ChatPart[]): string => {
  const encoder = new AnthropicEventEncoder({ model: 'test-model' });
  let text = formatEvents(encoder.start());
  for (const part of parts) text += formatEvents(encoder.encode(part));
  return text + formatEvents(encoder.finish());
};

const RECORDINGS = [
  'openai/chat-stream-parallel-tool-calls.openai-python.sse',
  'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse',
  'openai/chat-stream-tool-call-non-strict.openai-python.sse',
  'openai/chat-stream-refusal-deltas.openai-python.sse',
  'openai/chat-stream-finish-reason-length-max-tokens-1.openai-python.sse',
  'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl',
  'openai-compatible/deepseek-chat-stream-reasoner-tool-call.vercel.jsonl',
  'openai-compatible/mistral-chat-stream-tool-call-no-index.vercel.jsonl',
  'openai-compatible/groq-chat-stream-tool-call-x-groq-usage.vercel.jsonl',
  'openai-compatible/qwen-dashscope-compatible-chat-stream-tool-call.vercel.jsonl',
  'openai-compatible/unknown-host-glm-chat-stream-tool-call-empty-name-followup.vercel.jsonl',
  'openai-compatible/anthropic-openai-compat-chat-stream-tool-call-index-1.vercel.sse',
];

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' };

for (const recording of RECORDINGS) {
  test(`recorded ${recording} encodes to a valid Anthropic stream that holds the same answer`, async () => {
    const expected = (await recordedAnswer(recording)).choices[0]!;
    const events = parseSse(encodeAll(recordedParts(recording)));
    const blocks = assertValidAnthropicStream(events);
    const message = await collectMessage(asAsync(recordedParts(recording)), { model: 'test-model' });

    const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
    assert.equal(text, expected.content + expected.refusal);
    const thinking = message.content.flatMap((block) => (block.type === 'thinking' ? [block.thinking] : [])).join('');
    assert.equal(thinking, expected.reasoning);
    const tools = message.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
    assert.deepEqual(
      tools.map((tool) => ({ name: tool.name, input: tool.input })),
      expected.toolCalls.filter(Boolean).map((call) => ({ name: call.name, input: JSON.parse(call.arguments || '{}') })),
    );
    assert.equal(blocks.filter((type) => type === 'tool_use').length, tools.length);
    const wantStop = expected.toolCalls.length > 0 && expected.finishReason === 'stop' ? 'tool_use' : STOP_REASONS[expected.finishReason ?? 'stop'];
    assert.equal(message.stop_reason, wantStop);
    assert.equal(events.at(-2)?.data.delta.stop_reason, wantStop);
  });
}

test('usage keeps OpenAI totals apart from Anthropic cache reads', async () => {
  const recording = 'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl';
  const usage = (await recordedAnswer(recording)).usage!;
  const message = await collectMessage(asAsync(recordedParts(recording)), { model: 'grok' });
  assert.ok(usage.cachedTokens! > 0, 'the recording has cached tokens');
  assert.deepEqual(message.usage, {
    input_tokens: usage.promptTokens - usage.cachedTokens!,
    output_tokens: usage.completionTokens,
    cache_read_input_tokens: usage.cachedTokens,
    cache_creation_input_tokens: 0,
  });
});

test('a tool call whose name comes after its id still opens one named tool_use block', async () => {
  const parts: ChatPart[] = [
    { type: 'text-delta', choice: 0, text: 'Let me look.' },
    { type: 'tool-call-delta', choice: 0, index: 0, id: 'call_1', argumentsDelta: '' },
    { type: 'tool-call-delta', choice: 0, index: 0, name: 'Read', argumentsDelta: '{"file_path":' },
    { type: 'tool-call-delta', choice: 0, index: 0, argumentsDelta: '"/a.txt"}' },
    { type: 'tool-call-delta', choice: 0, index: 1, id: 'call_2', name: 'Bash', argumentsDelta: '{"command":"ls"}' },
    { type: 'finish', choice: 0, reason: 'stop' },
  ];
  const events = parseSse(encodeAll(parts));
  assert.deepEqual(assertValidAnthropicStream(events), ['text', 'tool_use', 'tool_use']);
  const message = await collectMessage(asAsync(parts), { model: 'm' });
  assert.deepEqual(message.content[1], { type: 'tool_use', id: 'call_1', name: 'Read', input: { file_path: '/a.txt' } });
  assert.deepEqual(message.content[2], { type: 'tool_use', id: 'call_2', name: 'Bash', input: { command: 'ls' } });
  assert.equal(message.stop_reason, 'tool_use', 'a tool-calling answer finished with "stop" still asks the client to run the tools');
});

test('an empty answer is still a complete message', async () => {
  const events = parseSse(encodeAll([{ type: 'finish', choice: 0, reason: 'stop' }]));
  assert.deepEqual(assertValidAnthropicStream(events), []);
  assert.deepEqual(events.map((event) => event.name), ['message_start', 'ping', 'message_delta', 'message_stop']);
});

test('a thinking signature closes inside its thinking block', async () => {
  const parts: ChatPart[] = [
    { type: 'reasoning-delta', choice: 0, text: 'hmm' },
    { type: 'reasoning-delta', choice: 0, text: '', signature: 'sig' },
    { type: 'text-delta', choice: 0, text: 'answer' },
  ];
  assert.deepEqual(assertValidAnthropicStream(parseSse(encodeAll(parts))), ['thinking', 'text']);
  const message = await collectMessage(asAsync(parts), { model: 'm' });
  assert.deepEqual(message.content, [
    { type: 'thinking', thinking: 'hmm', signature: 'sig' },
    { type: 'text', text: 'answer' },
  ]);
});

test('a late fragment for a closed tool block never opens a nameless block', () => {
  const parts: ChatPart[] = [
    { type: 'tool-call-delta', choice: 0, index: 0, id: 'a', name: 'first', argumentsDelta: '{}' },
    { type: 'tool-call-delta', choice: 0, index: 1, id: 'b', name: 'second', argumentsDelta: '{}' },
    { type: 'tool-call-delta', choice: 0, index: 0, argumentsDelta: ' ' },
    { type: 'finish', choice: 0, reason: 'tool_calls' },
  ];
  const events = parseSse(encodeAll(parts));
  assert.deepEqual(assertValidAnthropicStream(events), ['tool_use', 'tool_use']);
});

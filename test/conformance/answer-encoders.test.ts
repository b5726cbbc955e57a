import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnthropicEventEncoder } from '../../proxy/dialects/anthropic-messages/encode-stream.js';
import { GeminiAnswerEncoder } from '../../proxy/dialects/gemini/encode-answer.js';

// Hand-written part sequences at the edges the recordings do not reach; each once went wrong.

test('Anthropic client, no usage from the upstream: message_delta leaves message_start\'s input estimate alone', () => {
  const encoder = new AnthropicEventEncoder({ model: 'gpt-4o', estimatedInputTokens: 7 });
  const events = [...encoder.encode({ type: 'text-delta', choice: 0, text: 'Hi' }), ...encoder.encode({ type: 'finish', choice: 0, reason: 'stop' }), ...encoder.finish()];
  const start = events.find((event) => event.type === 'message_start') as unknown as { message: { usage: { input_tokens: number } } };
  const delta = events.find((event) => event.type === 'message_delta') as unknown as { usage: Record<string, unknown> };
  assert.equal(start.message.usage.input_tokens, 7);
  // The SDKs take any input_tokens message_delta carries: a 0 here overwrote the estimate.
  assert.equal('input_tokens' in delta.usage, false, JSON.stringify(delta.usage));
});

test('Gemini client: a function name a host repeats on every fragment is the name, not the name three times', () => {
  const encoder = new GeminiAnswerEncoder({ model: 'gpt-4o', includeThoughts: false, fallbackResponseId: 'r1' });
  const fragments = ['{"city":', '"Paris"', '}'].map((argumentsDelta) => ({ type: 'tool-call-delta' as const, choice: 0, index: 0, id: 'call_a', name: 'get_weather', argumentsDelta }));
  const chunks = [...fragments.flatMap((part) => encoder.encode(part)), ...encoder.encode({ type: 'finish', choice: 0, reason: 'tool_calls' }), encoder.finish()];
  const calls = chunks.flatMap((chunk) => chunk.candidates?.flatMap((candidate) => candidate.content?.parts ?? []) ?? []).filter((part) => part.functionCall);
  assert.deepEqual(calls.map((part) => part.functionCall), [{ id: 'call_a', name: 'get_weather', args: { city: 'Paris' } }]);
});

test('Gemini client: parallel calls whose fragments interleave each keep their arguments; a call made before text goes out before it', () => {
  const encoder = new GeminiAnswerEncoder({ model: 'gpt-4o', includeThoughts: false, fallbackResponseId: 'r1' });
  const call = (index: number, argumentsDelta: string, name?: string) => ({ type: 'tool-call-delta' as const, choice: 0, index, ...(name ? { id: `call_${index}`, name } : {}), argumentsDelta });
  const chunks = [
    ...[call(0, '', 'get_weather'), call(1, '', 'get_time'), call(0, '{"city":"Paris"}'), call(1, '{"zone":"CET"}')].flatMap((part) => encoder.encode(part)),
    ...encoder.encode({ type: 'text-delta', choice: 0, text: 'Done.' }),
    ...encoder.encode({ type: 'finish', choice: 0, reason: 'stop' }),
    encoder.finish(),
  ];
  const parts = chunks.flatMap((chunk) => chunk.candidates?.flatMap((candidate) => candidate.content?.parts ?? []) ?? []).filter((part) => part.functionCall || part.text);
  assert.deepEqual(parts, [
    { functionCall: { id: 'call_0', name: 'get_weather', args: { city: 'Paris' } } },
    { functionCall: { id: 'call_1', name: 'get_time', args: { zone: 'CET' } } },
    { text: 'Done.' },
  ]);
});

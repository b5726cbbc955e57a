import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openAICompatibleAdapter } from '../../proxy/adapters/openai-compatible/adapter.js';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { collectParts, toChatCompletion } from '../../proxy/dialects/openai-chat/encode-response.js';
import { ProviderRegistry } from '../../proxy/providers/registry.js';
import type { ProviderConfig } from '../../proxy/providers/types.js';
import { watchSignal } from '../../proxy/upstream/client-watch.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { signal, startHarness, type Harness } from './harness.js';

// The OpenAI-compatible adapter's decoding path (used by the chat view and by Anthropic-inbound
// requests to OpenAI-like upstreams), checked against the official SDK's own stream accumulator
// reading the same recording through the gateway's pass-through.
let harness: Harness;
let provider: ProviderConfig;
let recording = '';

before(async () => {
  const upstream = new FakeUpstream().on('POST /v1/chat/completions', (request, response) =>
    request.json().stream ? sendEvents(response, fixtureEvents(recording)) : sendJson(response, 200, fixtureJson(recording)),
  );
  harness = await startHarness(upstream);
  provider = new ProviderRegistry({ modapi: { baseUrl: harness.upstream.url(), apiKey: TEST_KEY } }).get('modapi')!;
});

after(() => harness.close());

const adapterParts = (stream: boolean): AsyncIterable<ChatPart> =>
  openAICompatibleAdapter.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream }, { provider, upstreamModel: 'gpt-4o', client: watchSignal(new AbortController().signal) });

/** What a client needs from an answer, in one comparable shape. */
const essentials = (completion: any) => ({
  choices: completion.choices
    .map((choice: any) => ({
      index: choice.index,
      content: choice.message.content || null,
      refusal: choice.message.refusal || null,
      toolCalls: (choice.message.tool_calls ?? []).map((call: any) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
      finish: choice.finish_reason,
    }))
    .sort((left: any, right: any) => left.index - right.index),
  usage: completion.usage ? { prompt: completion.usage.prompt_tokens, completion: outputTokens(completion.usage) } : undefined,
});

/** Output tokens in OpenAI's meaning, reasoning included (DESIGN.md, "Usage and cost"): xAI reports
 * its reasoning tokens apart from completion_tokens, and its total_tokens says so. */
const outputTokens = (usage: any): number => {
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const apart = reasoning > 0 && usage.total_tokens === usage.prompt_tokens + usage.completion_tokens + reasoning;
  return usage.completion_tokens + (apart ? reasoning : 0);
};

const STANDARD_STREAMS = [
  'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse',
  'openai/chat-stream-text-include-usage-gpt-4-1-nano.vercel.jsonl',
  'openai/chat-stream-n3-interleaved-choices.openai-python.sse',
  'openai/chat-stream-parallel-tool-calls.openai-python.sse',
  'openai/chat-stream-refusal-deltas.openai-python.sse',
  'openai/chat-stream-tool-call-strict-single.openai-python.sse',
  'openai/chat-stream-finish-reason-length-max-tokens-1.openai-python.sse',
  'openai-compatible/deepseek-chat-stream-reasoner-tool-call.vercel.jsonl',
  'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl',
  'openai-compatible/qwen-dashscope-compatible-chat-stream-tool-call.vercel.jsonl',
];

for (const path of STANDARD_STREAMS) {
  test(`decoded ${path} collects to what the official SDK accumulates`, async () => {
    recording = path;
    const reference = await harness.client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } }).finalChatCompletion();
    const decoded = toChatCompletion(await collectParts(adapterParts(true)), 'gpt-4o');
    assert.deepEqual(essentials(decoded), essentials(reference));
  });
}

test('reasoning_content (DeepSeek, xAI) is kept apart from the answer text', async () => {
  for (const path of ['openai-compatible/deepseek-chat-stream-reasoner-tool-call.vercel.jsonl', 'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl']) {
    recording = path;
    const collected = await collectParts(adapterParts(true));
    const expected = fixtureEvents(path)
      .map((event) => JSON.parse(event.slice('data: '.length)))
      .map((chunk) => chunk.choices?.[0]?.delta?.reasoning_content ?? '')
      .join('');
    assert.ok(expected.length > 0);
    assert.equal(collected.choices[0]?.reasoning, expected, path);
  }
});

test("Mistral's tool calls without an index are numbered by their id", async () => {
  recording = 'openai-compatible/mistral-chat-stream-tool-call-no-index.vercel.jsonl';
  const collected = await collectParts(adapterParts(true));
  const raw = fixtureEvents(recording).flatMap((event) => JSON.parse(event.slice('data: '.length)).choices?.[0]?.delta?.tool_calls ?? []);
  assert.deepEqual(
    collected.choices[0]?.toolCalls.map((call) => call.id),
    raw.map((call: any) => call.id),
  );
  for (const call of collected.choices[0]?.toolCalls ?? []) assert.ok(JSON.parse(call.arguments));
});

test("Groq's usage under x_groq is read", async () => {
  recording = 'openai-compatible/groq-chat-stream-tool-call-x-groq-usage.vercel.jsonl';
  const collected = await collectParts(adapterParts(true));
  assert.deepEqual(collected.usage, { promptTokens: 210, completionTokens: 15 });
  assert.equal(collected.choices[0]?.finishReason, 'tool_calls');
});

test('a tool call continued under an empty name (GLM) stays one call', async () => {
  recording = 'openai-compatible/unknown-host-glm-chat-stream-tool-call-empty-name-followup.vercel.jsonl';
  const collected = await collectParts(adapterParts(true));
  const calls = collected.choices[0]?.toolCalls ?? [];
  assert.equal(calls.length, 1);
  assert.ok(calls[0]!.name.length > 0);
  assert.ok(JSON.parse(calls[0]!.arguments));
});

test('a tool call that starts at index 1 (Anthropic compatibility layer) is kept whole', async () => {
  recording = 'openai-compatible/anthropic-openai-compat-chat-stream-tool-call-index-1.vercel.sse';
  const completion = toChatCompletion(await collectParts(adapterParts(true)), 'x');
  const calls = completion.choices[0]?.message.tool_calls ?? [];
  assert.equal(calls.length, 1);
  assert.ok(JSON.parse(calls[0]!.function.arguments));
});

for (const path of ['openai/chat-completion-parallel-tool-calls-gpt-4o.openai-python.json', 'openai/chat-completion-n3-choices-gpt-4o.openai-python.json', 'openai/chat-completion-refusal-gpt-4o.openai-python.json', 'openai-compatible/deepseek-chat-completion-tool-call.vercel.json']) {
  test(`a whole answer (${path}) decodes to the same completion`, async () => {
    recording = path;
    const decoded = toChatCompletion(await collectParts(adapterParts(false)), 'gpt-4o');
    assert.deepEqual(essentials(decoded), essentials(fixtureJson(path)));
  });
}

test('a mid-stream error event becomes an error part, and the connection is let go', async () => {
  recording = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
  const closed = signal();
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(fixtureEvents(recording)[1]! + 'data: {"error":{"message":"overloaded"}}\n\n');
    // The upstream never ends this body: only the adapter letting go closes it.
    response.once('close', () => closed.resolve());
  });
  const parts: ChatPart[] = [];
  for await (const part of adapterParts(true)) parts.push(part);
  const last = parts.at(-1);
  assert.equal(last?.type, 'error');
  assert.match(last.type === 'error' ? last.error.message : '', /overloaded/);
  await closed.promise;
});

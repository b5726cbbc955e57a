import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;
let client: OpenAI;

before(async () => {
  harness = await startHarness(new FakeUpstream());
  client = harness.client;
});

after(() => harness.close());

/** The chunks a recording holds, as the client should see them. */
const recordedChunks = (path: string): any[] =>
  fixtureEvents(path)
    .flatMap((event) => event.split('\n').filter((line) => line.startsWith('data:')))
    .map((line) => line.slice(5).trim())
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data));

const isUsageChunk = (chunk: any): boolean => Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage;

const replyJson = (body: unknown): void => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, body));
};

const replyEvents = (path: string): void => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(path)));
};

const collect = async (stream: AsyncIterable<any>): Promise<any[]> => {
  const chunks: any[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
};

const user = (content: string) => [{ role: 'user' as const, content }];

test('non-streamed: tools and tool_choice reach the upstream unchanged and parallel tool calls come back whole', async () => {
  const recorded = fixtureJson('openai/chat-completion-parallel-tool-calls-gpt-4o.openai-python.json');
  replyJson(recorded);
  const tools: OpenAI.ChatCompletionTool[] = [
    { type: 'function', function: { name: 'GetWeatherArgs', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true } },
    { type: 'function', function: { name: 'get_stock_price', parameters: { type: 'object', properties: { ticker: { type: 'string' } } } } },
  ];
  const answer = await client.chat.completions.create({ model: 'gpt-4o', messages: user('weather and AAPL'), tools, tool_choice: 'required', parallel_tool_calls: true });
  assert.deepEqual(answer, recorded);
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent.tools, tools);
  assert.equal(sent.tool_choice, 'required');
  assert.equal(sent.parallel_tool_calls, true);
  assert.equal(sent.model, 'gpt-4o');
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
});

test('non-streamed: a named tool_choice and an image part are forwarded as sent', async () => {
  replyJson(fixtureJson('openai/chat-completion-tool-call.openapi-example.json'));
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://example.invalid/cat.png' } },
      ],
    },
  ];
  const toolChoice = { type: 'function' as const, function: { name: 'get_current_weather' } };
  const answer = await client.chat.completions.create({
    model: 'gpt-4o',
    messages,
    tools: [{ type: 'function', function: { name: 'get_current_weather', parameters: { type: 'object', properties: {} } } }],
    tool_choice: toolChoice,
  });
  assert.equal(answer.choices[0]?.finish_reason, 'tool_calls');
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent.messages, messages);
  assert.deepEqual(sent.tool_choice, toolChoice);
});

test('non-streamed: response_format, n, stop, seed and logprobs are forwarded; n choices come back', async () => {
  const recorded = fixtureJson('openai/chat-completion-n3-choices-gpt-4o.openai-python.json');
  replyJson(recorded);
  const responseFormat = { type: 'json_schema' as const, json_schema: { name: 'weather', strict: true, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } } };
  const answer = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: user('weather in SF'),
    response_format: responseFormat,
    n: 3,
    stop: ['\n\n', 'END'],
    seed: 42,
    logprobs: true,
    top_logprobs: 2,
    temperature: 0.2,
    max_completion_tokens: 100,
  });
  assert.equal(answer.choices.length, 3);
  assert.deepEqual(answer, recorded);
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent.response_format, responseFormat);
  assert.equal(sent.n, 3);
  assert.deepEqual(sent.stop, ['\n\n', 'END']);
  assert.equal(sent.seed, 42);
  assert.equal(sent.logprobs, true);
  assert.equal(sent.top_logprobs, 2);
  assert.equal(sent.stream_options, undefined, 'a non-streamed request gets no stream_options');
});

test('non-streamed: fields the gateway does not know reach the upstream byte-for-byte the same', async () => {
  replyJson(fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const extra = {
    provider: { order: ['Together', 'DeepInfra'], allow_fallbacks: false },
    reasoning: { effort: 'high', exclude: true },
    top_k: 40,
    repetition_penalty: 1.05,
    transforms: ['middle-out'],
    metadata: { trace: 'abc' },
    nested_null: null,
  };
  await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: user('hi'), ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  const sent = harness.upstream.last().json();
  for (const [name, value] of Object.entries(extra)) assert.deepEqual(sent[name], value, name);
});

test('non-streamed: the DeepSeek recording (reasoning_content, tool call) passes through unchanged', async () => {
  const recorded = fixtureJson('openai-compatible/deepseek-chat-completion-tool-call.vercel.json');
  replyJson(recorded);
  const answer = await client.chat.completions.create({ model: 'deepseek-chat', messages: user('hi') });
  assert.deepEqual(answer, recorded);
});

test('non-streamed: a refusal and a length finish come back unchanged', async () => {
  for (const path of ['openai/chat-completion-refusal-gpt-4o.openai-python.json', 'openai/chat-completion-finish-reason-length-gpt-4o.openai-python.json']) {
    const recorded = fixtureJson(path);
    replyJson(recorded);
    assert.deepEqual(await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi') }), recorded, path);
  }
});

const STREAM_RECORDINGS = [
  'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse',
  'openai/chat-stream-text-include-usage-gpt-4-1-nano.vercel.jsonl',
  'openai/chat-stream-content-logprobs.openai-python.sse',
  'openai/chat-stream-finish-reason-length-max-tokens-1.openai-python.sse',
  'openai/chat-stream-json-object-response-format.openai-python.sse',
  'openai/chat-stream-n3-interleaved-choices.openai-python.sse',
  'openai/chat-stream-parallel-tool-calls.openai-python.sse',
  'openai/chat-stream-refusal-deltas.openai-python.sse',
  'openai/chat-stream-refusal-with-logprobs.openai-python.sse',
  'openai/chat-stream-structured-output-json-schema.openai-python.sse',
  'openai/chat-stream-tool-call-non-strict.openai-python.sse',
  'openai/chat-stream-tool-call-strict-single.openai-python.sse',
  'openai-compatible/deepseek-chat-stream-reasoner-tool-call.vercel.jsonl',
  'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl',
  'openai-compatible/qwen-dashscope-compatible-chat-stream-tool-call.vercel.jsonl',
  'openai-compatible/mistral-chat-stream-text.vercel.jsonl',
  'openai-compatible/mistral-chat-stream-tool-call-no-index.vercel.jsonl',
  'openai-compatible/groq-chat-stream-tool-call-x-groq-usage.vercel.jsonl',
  'openai-compatible/unknown-host-glm-chat-stream-tool-call-empty-name-followup.vercel.jsonl',
  'openai-compatible/anthropic-openai-compat-chat-stream-tool-call-index-1.vercel.sse',
  'openai-compatible/openrouter-chat-stream-fragment-processing-comments.openai-go-227.sse',
];

for (const path of STREAM_RECORDINGS) {
  test(`streamed with include_usage: every recorded chunk of ${path} reaches the client unchanged`, async () => {
    replyEvents(path);
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi'), stream: true, stream_options: { include_usage: true } }));
    assert.deepEqual(chunks, recordedChunks(path));
    assert.deepEqual(harness.upstream.last().json().stream_options, { include_usage: true });
  });
}

for (const path of STREAM_RECORDINGS.filter((recording) => recordedChunks(recording).some(isUsageChunk))) {
  test(`streamed without include_usage: ${path} arrives without its usage-only chunk, the upstream still asked for usage`, async () => {
    replyEvents(path);
    const chunks = await collect(await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi'), stream: true }));
    assert.deepEqual(
      chunks,
      recordedChunks(path).filter((chunk) => !isUsageChunk(chunk)),
    );
    assert.deepEqual(harness.upstream.last().json().stream_options, { include_usage: true });
  });
}

test('streamed with include_usage false said explicitly: the usage chunk is dropped, other stream_options are kept', async () => {
  replyEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  const chunks = await collect(
    await client.chat.completions.create({ model: 'gpt-4o', messages: user('hi'), stream: true, stream_options: { include_usage: false, include_obfuscation: false } }),
  );
  assert.equal(chunks.filter((chunk) => chunk.usage).length, 0);
  assert.ok(chunks.length > 0);
  assert.deepEqual(harness.upstream.last().json().stream_options, { include_usage: true, include_obfuscation: false });
});

test('streamed: tools, image parts, response_format, n, stop, seed, logprobs and unknown fields are forwarded', async () => {
  replyEvents('openai/chat-stream-n3-interleaved-choices.openai-python.sse');
  const body = {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
    stream: true,
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    tool_choice: 'auto',
    response_format: { type: 'json_object' },
    n: 3,
    stop: 'STOP',
    seed: 7,
    logprobs: true,
    top_logprobs: 1,
    provider: { sort: 'throughput' },
  };
  const chunks = await collect(await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming));
  assert.deepEqual(new Set(chunks.flatMap((chunk) => chunk.choices.map((choice: { index: number }) => choice.index))), new Set([0, 1, 2]));
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent, { ...body, stream_options: { include_usage: true } });
});

test('streamed: the SDK assembles the recorded parallel tool calls', async () => {
  replyEvents('openai/chat-stream-parallel-tool-calls.openai-python.sse');
  const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: user('hi') });
  const final = await stream.finalChatCompletion();
  const calls = final.choices[0]?.message.tool_calls ?? [];
  assert.equal(calls.length, 2);
  for (const call of calls) assert.ok(call.type === 'function' && JSON.parse(call.function.arguments));
});

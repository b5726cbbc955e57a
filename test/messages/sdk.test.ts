import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, fixtureText } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { assertValidAnthropicStream, parseSse } from './anthropic-event-validator.js';
import { postRaw, startMessagesGateway, type MessagesGateway } from './messages-gateway.js';
import { recordedAnswer } from './recorded-answers.js';

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const TOOLS_STREAM = 'openai/chat-stream-parallel-tool-calls.openai-python.sse';
const REASONING_STREAM = 'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl';
const TOOLS_WHOLE = 'openai/chat-completion-parallel-tool-calls-gpt-4o.openai-python.json';
const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
const ANTHROPIC_TOOL_STREAM = 'anthropic/stream-text-then-tool-use-raw-sse.anthropic-sdk-python.sse';
const ANTHROPIC_CACHE_STREAM = 'anthropic/stream-max-tokens-cache-read-usage.vercel.jsonl';
const ANTHROPIC_DELTA_INPUT_STREAM = 'anthropic/stream-message-delta-input-tokens-anthropic-compatible-host.vercel.jsonl';
const ANTHROPIC_TOOL_WHOLE = 'anthropic/message-tool-use-json-haiku-4-5.vercel.json';

let harness: MessagesGateway;

before(async () => {
  harness = await startMessagesGateway(
    {
      'gpt-4o': { stream: TEXT_STREAM, whole: TEXT_WHOLE },
      'tools-model': { stream: TOOLS_STREAM, whole: TOOLS_WHOLE },
      'grok-3-mini': { stream: REASONING_STREAM },
      'gpt-5': { stream: TEXT_STREAM },
    },
    {
      'claude-sonnet-4-20250514': { stream: ANTHROPIC_TOOL_STREAM, whole: ANTHROPIC_TOOL_WHOLE },
      'claude-sonnet-4-6': { stream: ANTHROPIC_CACHE_STREAM },
      'claude-opus-4-5': { stream: ANTHROPIC_DELTA_INPUT_STREAM },
    },
    // Anthropic counts tokens itself; this answer is written here, not recorded.
    { 'POST /v1/messages/count_tokens': (request, response) => sendJson(response, 200, { input_tokens: 1000 + request.json().messages.length }) },
  );
});

after(async () => {
  await harness.close();
});

const WEATHER_TOOLS: Anthropic.Tool[] = [
  { name: 'GetWeatherArgs', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_stock_price', input_schema: { type: 'object', properties: { ticker: { type: 'string' } } } },
];

const textOf = (message: Anthropic.Message): string => message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
const toolUses = (message: Anthropic.Message) => message.content.flatMap((block) => (block.type === 'tool_use' ? [{ name: block.name, input: block.input }] : []));
const expectedToolUses = (answer: Awaited<ReturnType<typeof recordedAnswer>>) =>
  answer.choices[0]!.toolCalls.map((call) => ({ name: call.name, input: JSON.parse(call.arguments) }));

test('SDK stream from an OpenAI-dialect upstream: text, stop reason and usage as the recording holds them', async () => {
  const expected = await recordedAnswer(TEXT_STREAM);
  const before = harness.records.length;
  const message = await harness.client.messages
    .stream({ model: 'gpt-4o', max_tokens: 32000, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
  assert.equal(textOf(message), expected.choices[0]!.content);
  assert.ok(textOf(message).length > 0);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.model, 'gpt-4o');
  assert.match(message.id, /^msg_/);
  assert.equal(message.usage.input_tokens, expected.usage!.promptTokens);
  assert.equal(message.usage.output_tokens, expected.usage!.completionTokens);

  const sent = harness.upstream.last().json();
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.deepEqual(sent.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
  assert.equal(sent.max_tokens, 16384, "held to gpt-4o's output limit from the catalog");
  assert.deepEqual(sent.stream_options, { include_usage: true });

  const record = await harness.recordAt(before);
  assert.equal(record.endpoint, '/v1/messages');
  assert.equal(record.stream, true);
  assert.equal(record.status, 200);
  assert.equal(record.promptTokens, expected.usage!.promptTokens);
  assert.equal(record.completionTokens, expected.usage!.completionTokens);
});

test('the raw stream from an OpenAI-dialect upstream is a valid Anthropic event sequence', async () => {
  for (const model of ['gpt-4o', 'tools-model', 'grok-3-mini']) {
    const answer = await postRaw(`${harness.root}/v1/messages?beta=true`, { model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }], tools: WEATHER_TOOLS });
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = parseSse(answer.text);
    const blocks = assertValidAnthropicStream(events);
    assert.equal(events[1]?.name, 'ping', 'a ping follows message_start');
    assert.ok(blocks.length > 0, `${model}: at least one block`);
  }
});

test('SDK stream with parallel tool calls gives each tool_use with its name and input', async () => {
  const expected = await recordedAnswer(TOOLS_STREAM);
  const message = await harness.client.messages.stream({ model: 'tools-model', max_tokens: 1024, tools: WEATHER_TOOLS, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'weather and stock' }] }).finalMessage();
  assert.deepEqual(toolUses(message), expectedToolUses(expected));
  assert.equal(toolUses(message).length, 2);
  assert.equal(message.stop_reason, 'tool_use');
  const sent = harness.upstream.last().json();
  assert.equal(sent.tool_choice, 'required');
  assert.equal(sent.tools[0].function.name, 'GetWeatherArgs');
});

test('SDK stream with reasoning, a tool call and cached tokens (xAI recording)', async () => {
  const expected = await recordedAnswer(REASONING_STREAM);
  const message = await harness.client.messages.stream({ model: 'grok-3-mini', max_tokens: 1024, tools: WEATHER_TOOLS, messages: [{ role: 'user', content: 'weather?' }] }).finalMessage();
  const thinking = message.content.find((block) => block.type === 'thinking');
  assert.ok(thinking && thinking.type === 'thinking');
  assert.equal(thinking.thinking, expected.choices[0]!.reasoning);
  assert.deepEqual(toolUses(message), expectedToolUses(expected));
  assert.deepEqual(
    message.content.map((block) => block.type),
    ['thinking', 'tool_use'],
  );
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(message.usage.cache_read_input_tokens, expected.usage!.cachedTokens);
  assert.equal(message.usage.input_tokens, expected.usage!.promptTokens - expected.usage!.cachedTokens!);
});

test('SDK create (not streamed) from an OpenAI-dialect upstream: tool uses and text', async () => {
  const tools = await harness.client.messages.create({ model: 'tools-model', max_tokens: 1024, tools: WEATHER_TOOLS, messages: [{ role: 'user', content: 'weather and stock' }] });
  const recorded = fixtureJson(TOOLS_WHOLE);
  assert.deepEqual(
    toolUses(tools),
    recorded.choices[0].message.tool_calls.map((call: any) => ({ name: call.function.name, input: JSON.parse(call.function.arguments) })),
  );
  assert.deepEqual(tools.content.map((block) => (block.type === 'tool_use' ? block.id : '')), recorded.choices[0].message.tool_calls.map((call: any) => call.id));
  assert.equal(tools.stop_reason, 'tool_use');
  assert.equal(tools.usage.input_tokens, recorded.usage.prompt_tokens);
  assert.equal(tools.usage.output_tokens, recorded.usage.completion_tokens);
  assert.equal(harness.upstream.last().json().stream, false);

  const text = await harness.client.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(textOf(text), fixtureJson(TEXT_WHOLE).choices[0].message.content);
  assert.equal(text.stop_reason, fixtureJson(TEXT_WHOLE).choices[0].finish_reason === 'length' ? 'max_tokens' : 'end_turn');
});

test('a tool round trip: tool_result goes back as a tool message after the assistant tool call', async () => {
  await harness.client.messages.create({
    model: 'gpt-4o',
    max_tokens: 10,
    tools: WEATHER_TOOLS,
    messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'GetWeatherArgs', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '21C' }] },
    ],
  });
  assert.deepEqual(harness.upstream.last().json().messages.slice(1), [
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'GetWeatherArgs', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '21C' },
  ]);
});

const recordedToolInput = (path: string): unknown =>
  JSON.parse(
    parseSse(fixtureText(path))
      .filter((event) => event.data.delta?.type === 'input_json_delta')
      .map((event) => event.data.delta.partial_json)
      .join(''),
  );

test('anthropic/* models pass through natively: the recording byte for byte, the key injected', async () => {
  const body = { model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 1024, stream: true, metadata: { user_id: 'u' }, messages: [{ role: 'user', content: 'weather in Paris?' }] };
  const answer = await postRaw(`${harness.root}/v1/messages?beta=true`, body, { 'x-api-key': 'mk-local-test-token-0123456789abcdef', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' });
  assert.equal(answer.status, 200);
  assert.equal(answer.text, fixtureEvents(ANTHROPIC_TOOL_STREAM).join(''));
  const seen = harness.upstream.last();
  assert.equal(seen.url, '/v1/messages?beta=true');
  assert.equal(seen.headers['x-api-key'], TEST_KEY);
  assert.equal(seen.headers.authorization, undefined);
  assert.equal(seen.headers['anthropic-version'], '2023-06-01');
  assert.equal(seen.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');
  assert.deepEqual(seen.json(), { ...body, model: 'claude-sonnet-4-20250514' });

  const message = await harness.client.messages.stream({ model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'weather in Paris?' }] }).finalMessage();
  assert.deepEqual(toolUses(message), [{ name: 'get_weather', input: recordedToolInput(ANTHROPIC_TOOL_STREAM) }]);
  assert.equal(message.stop_reason, 'tool_use');
  assert.equal(harness.upstream.last().headers['x-api-key'], TEST_KEY);
});

test('anthropic/* not streamed: the SDK gets the recorded message', async () => {
  const recorded = fixtureJson(ANTHROPIC_TOOL_WHOLE);
  const message = await harness.client.messages.create({ model: 'anthropic/claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: 'json' }] });
  assert.deepEqual(message.content, recorded.content);
  assert.equal(message.stop_reason, 'tool_use');
  assert.deepEqual(message.usage, recorded.usage);
});

test('anthropic/* usage reaches the ledger in OpenAI terms, message_delta winning', async () => {
  let before = harness.records.length;
  await harness.client.messages.stream({ model: 'anthropic/claude-sonnet-4-6', max_tokens: 1, messages: [{ role: 'user', content: 'ok?' }] }).finalMessage();
  let record = await harness.recordAt(before);
  assert.equal(record.provider, 'anthropic');
  assert.equal(record.promptTokens, 3 + 18639, 'input + cache read + cache creation');
  assert.equal(record.cachedTokens, 18639);
  assert.equal(record.completionTokens, 1);

  before = harness.records.length;
  const message = await harness.client.messages.stream({ model: 'anthropic/claude-opus-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'ping' }] }).finalMessage();
  assert.equal(textOf(message), 'pong');
  record = await harness.recordAt(before);
  assert.equal(record.promptTokens, 61, "message_delta's cumulative input_tokens win over message_start's 43");
  assert.equal(record.completionTokens, 2);
});

test('count_tokens gives an estimate for any model', async () => {
  const small = await harness.client.messages.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  const large = await harness.client.messages.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi '.repeat(1000) }], tools: WEATHER_TOOLS });
  assert.ok(small.input_tokens > 0);
  assert.ok(large.input_tokens > small.input_tokens + 500);
});

test('count_tokens for anthropic/* models asks Anthropic', async () => {
  const counted = await harness.client.messages.countTokens({ model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(counted.input_tokens, 1001);
  const seen = harness.upstream.last();
  assert.equal(seen.url, '/v1/messages/count_tokens');
  assert.equal(seen.headers['x-api-key'], TEST_KEY);
  assert.equal(seen.json().model, 'claude-sonnet-4-5');
});

test("OpenAI reasoning models get Claude Code's output budget as max_completion_tokens", async () => {
  await harness.client.messages.stream({ model: 'gpt-5', max_tokens: 32000, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
  const sent = harness.upstream.last().json();
  assert.equal(sent.max_completion_tokens, 32000);
  assert.equal('max_tokens' in sent, false);
});

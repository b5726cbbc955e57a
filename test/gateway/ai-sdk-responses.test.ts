import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type ModelMessage } from 'ai';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson, type FakeHandler, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, recordedChatStreamText } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { guardFetchToLoopback, type LoopbackFetchGuard } from '../support/loopback-fetch.js';
import { startRecordingForwarder, type RecordingForwarder } from '../support/recording-forwarder.js';

/** The Vercel AI SDK's default OpenAI model (`createOpenAI(...)(id)`, ai 6.0.333 with
 * @ai-sdk/openai 3.0.141), which speaks the Responses API, against the gateway over a chat-only
 * upstream serving recordings. A recording forwarder keeps what the SDK itself sent; a fetch
 * guard shows it reached nothing else. */

const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const TOOL_STREAM = 'openai/chat-stream-tool-call-non-strict.openai-python.sse';
const TOOL_PROMPT = 'Use the weather tool for New York City.';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let forwarder: RecordingForwarder;
let openai: ReturnType<typeof createOpenAI>;
let guard: LoopbackFetchGuard;

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
}

const messagesOf = (request: SeenRequest): Message[] => request.json().messages;

/** Whole requests get the whole recording; streams get the tool call when the tool prompt has no
 * tool result yet, else the text stream. */
const upstreamHandler: FakeHandler = (request, response) => {
  const body = request.json();
  if (body.stream !== true) return sendJson(response, 200, fixtureJson(TEXT_WHOLE));
  const messages = messagesOf(request);
  const asksForTool = messages.some((message) => message.role === 'user' && JSON.stringify(message.content).includes(TOOL_PROMPT));
  const hasResult = messages.some((message) => message.role === 'tool');
  return sendEvents(response, fixtureEvents(asksForTool && !hasResult ? TOOL_STREAM : TEXT_STREAM));
};

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', upstreamHandler).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  forwarder = await startRecordingForwarder(gateway.port);
  openai = createOpenAI({ baseURL: forwarder.url('/v1'), apiKey: TEST_TOKEN });
  guard = guardFetchToLoopback();
});

after(async () => {
  guard.restore();
  assert.deepEqual(guard.refused, [], 'the SDK reached nothing but the gateway');
  await forwarder.close();
  await gateway.close();
  await upstream.close();
});

/** The SDK's requests since `first`: all POST /v1/responses with the local token, answered 200. */
const sentSince = (first: number) => {
  const sent = forwarder.requests.slice(first);
  for (const request of sent) {
    assert.equal(`${request.method} ${request.url}`, 'POST /v1/responses');
    assert.equal(request.headers.authorization, `Bearer ${TEST_TOKEN}`);
    assert.equal(request.answer?.status, 200, request.body.toString('utf8').slice(0, 500));
  }
  return sent;
};

test('generateText: the whole recorded answer and its usage', async () => {
  const first = forwarder.requests.length;
  const recorded = fixtureJson(TEXT_WHOLE);
  const result = await generateText({ model: openai('gpt-4.1-nano'), system: 'Be brief.', prompt: 'Hello' });
  assert.equal(result.text, recorded.choices[0].message.content);
  assert.equal(result.finishReason, 'stop');
  assert.equal(result.usage.inputTokens, recorded.usage.prompt_tokens);
  assert.equal(result.usage.outputTokens, recorded.usage.completion_tokens);
  const [sent] = sentSince(first);
  const body = sent!.json();
  assert.equal(body.model, 'gpt-4.1-nano');
  assert.notEqual(body.stream, true);
  assert.deepEqual(messagesOf(upstream.last()), [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
  ]);
});

test('streamText: the recorded stream as text deltas, finish reason and usage', async () => {
  const first = forwarder.requests.length;
  const result = streamText({ model: openai('gpt-4o'), prompt: 'What is the weather in San Francisco?' });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  assert.equal(text, recordedChatStreamText(TEXT_STREAM));
  assert.equal(await result.finishReason, 'stop');
  const usage = await result.usage;
  const recordedUsage = fixtureEvents(TEXT_STREAM)
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data !== '[DONE]')
    .map((data) => JSON.parse(data).usage)
    .find(Boolean);
  assert.equal(usage.inputTokens, recordedUsage.prompt_tokens);
  assert.equal(usage.outputTokens, recordedUsage.completion_tokens);
  const [sent] = sentSince(first);
  assert.equal(sent!.json().stream, true);
  assert.match(String(sent!.answer?.headers['content-type']), /^text\/event-stream/);
});

test('a tool call round trip: the SDK runs the recorded call and sends its result back', async () => {
  const first = forwarder.requests.length;
  const firstUpstream = upstream.requests.length;
  const calls: unknown[] = [];
  const result = streamText({
    model: openai('gpt-4o'),
    prompt: TOOL_PROMPT,
    tools: {
      get_weather: tool({
        description: 'The weather in a city',
        inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
        execute: async (input) => {
          calls.push(input);
          return { city: input.city, forecast: 'sunny, 22 C' };
        },
      }),
    },
    stopWhen: stepCountIs(2),
  });
  let text = '';
  for await (const delta of result.textStream) text += delta;
  assert.deepEqual(calls, [{ city: 'New York City' }]);
  assert.equal(text, recordedChatStreamText(TEXT_STREAM));
  const sent = sentSince(first);
  assert.equal(sent.length, 2);
  // The second step carries the call and its output (the SDK's own item types).
  const input = sent[1]!.json().input as { type?: string; call_id?: string; name?: string; output?: unknown }[];
  const call = input.find((item) => item.type === 'function_call');
  const output = input.find((item) => item.type === 'function_call_output');
  assert.equal(call?.name, 'get_weather');
  assert.equal(output?.call_id, call?.call_id);
  assert.match(JSON.stringify(output?.output), /sunny/);
  // The upstream got the same in chat terms.
  const second = messagesOf(upstream.requests[firstUpstream + 1]!);
  const assistant = second.find((message) => message.role === 'assistant' && message.tool_calls) as { tool_calls: { id: string; function: { name: string; arguments: string } }[] };
  assert.equal(assistant.tool_calls[0]!.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(assistant.tool_calls[0]!.function.arguments), { city: 'New York City' });
  const toolMessage = second.find((message) => message.role === 'tool');
  assert.equal(toolMessage?.tool_call_id, assistant.tool_calls[0]!.id);
  assert.match(String(toolMessage?.content), /sunny/);
});

test('a second turn from result.response.messages: the SDK refers to the stored answer by item id', async () => {
  const firstTurn = await generateText({ model: openai('gpt-4.1-nano'), prompt: 'Hello' });
  const first = forwarder.requests.length;
  const messages: ModelMessage[] = [{ role: 'user', content: 'Hello' }, ...firstTurn.response.messages, { role: 'user', content: 'And again?' }];
  const secondTurn = await generateText({ model: openai('gpt-4.1-nano'), messages });
  assert.equal(secondTurn.text, fixtureJson(TEXT_WHOLE).choices[0].message.content);
  const [sent] = sentSince(first);
  const input = sent!.json().input as { type?: string; id?: string }[];
  assert.ok(input.some((item) => item.type === 'item_reference'), 'the SDK (store on by default) sent an item_reference');
  assert.deepEqual(messagesOf(upstream.last()), [
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: firstTurn.text },
    { role: 'user', content: 'And again?' },
  ]);
});

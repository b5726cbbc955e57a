import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, run, setDefaultOpenAIKey, setTracingDisabled, tool } from '@openai/agents';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson, type FakeHandler, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, recordedChatStreamText } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { guardFetchToLoopback, type LoopbackFetchGuard } from '../support/loopback-fetch.js';
import { startRecordingForwarder, type RecordingForwarder } from '../support/recording-forwarder.js';

/** The OpenAI Agents SDK (@openai/agents 0.20.0) with its defaults: `run(agent, input)` through
 * the default OpenAI provider, which speaks the Responses API, configured the way its docs say
 * for another server (OPENAI_BASE_URL and the key). Over a chat-only upstream serving recordings;
 * a recording forwarder keeps what the SDK sent, and a fetch guard shows it reached nothing else.
 * Its tracing export (to OpenAI, with OPENAI_API_KEY) is on by default and decided when the
 * package loads, so it is turned off with setTracingDisabled, as a user of another server does. */

const TOOL_WHOLE = 'openai/chat-completion-tool-call.openapi-example.json';
const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
const TOOL_STREAM = 'openai/chat-stream-tool-call-non-strict.openai-python.sse';
const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let forwarder: RecordingForwarder;
let guard: LoopbackFetchGuard;
const savedBaseUrl = process.env.OPENAI_BASE_URL;

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

const messagesOf = (request: SeenRequest): Message[] => request.json().messages;

/** The recorded tool call until a tool result comes back, then the recorded text; whole or
 * streamed as asked. */
const upstreamHandler: FakeHandler = (request, response) => {
  const stream = request.json().stream === true;
  const answered = messagesOf(request).some((message) => message.role === 'tool');
  if (stream) return sendEvents(response, fixtureEvents(answered ? TEXT_STREAM : TOOL_STREAM));
  return sendJson(response, 200, fixtureJson(answered ? TEXT_WHOLE : TOOL_WHOLE));
};

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', upstreamHandler).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  forwarder = await startRecordingForwarder(gateway.port);
  process.env.OPENAI_BASE_URL = forwarder.url('/v1');
  setDefaultOpenAIKey(TEST_TOKEN);
  setTracingDisabled(true);
  guard = guardFetchToLoopback();
});

after(async () => {
  guard.restore();
  if (savedBaseUrl === undefined) delete process.env.OPENAI_BASE_URL;
  else process.env.OPENAI_BASE_URL = savedBaseUrl;
  await forwarder.close();
  await gateway.close();
  await upstream.close();
});

/** One agent with one function tool, which notes its calls. The tool's name is the recording's. */
const weatherAgent = (toolName: string, calls: unknown[]) =>
  new Agent({
    name: 'Weather',
    instructions: 'Answer weather questions with the tool.',
    model: 'gpt-4o',
    tools: [
      tool({
        name: toolName,
        description: 'The weather in a place',
        parameters: { type: 'object', properties: { location: { type: 'string' }, city: { type: 'string' } }, required: [], additionalProperties: true },
        strict: false,
        execute: async (input) => {
          calls.push(input);
          return 'sunny, 22 C';
        },
      }),
    ],
  });

/** What the SDK sent since `first` (all POST /v1/responses with the local token, answered 200),
 * and what reached the upstream for them. */
const exchangesSince = (first: number, firstUpstream: number) => {
  const sent = forwarder.requests.slice(first);
  for (const request of sent) {
    assert.equal(`${request.method} ${request.url}`, 'POST /v1/responses');
    assert.equal(request.headers.authorization, `Bearer ${TEST_TOKEN}`);
    assert.equal(request.answer?.status, 200, request.body.toString('utf8').slice(0, 500));
  }
  const reached = upstream.requests.slice(firstUpstream);
  assert.equal(reached.length, sent.length);
  assert.deepEqual(guard.refused, [], 'the SDK reached nothing but the gateway');
  return { sent, reached };
};

/** The second turn, in both dialects: the call and its output back to the gateway, the same as an
 * assistant tool call and a tool message upstream. */
const assertToolTurn = (sent: { json(): any }, reached: SeenRequest, toolName: string): void => {
  const input = sent.json().input as { type?: string; call_id?: string; name?: string; output?: unknown }[];
  const call = input.find((item) => item.type === 'function_call');
  const output = input.find((item) => item.type === 'function_call_output');
  assert.equal(call?.name, toolName);
  assert.equal(output?.call_id, call?.call_id);
  assert.match(JSON.stringify(output?.output), /sunny/);
  const messages = messagesOf(reached);
  const assistant = messages.find((message) => message.role === 'assistant' && message.tool_calls);
  assert.equal(assistant?.tool_calls?.[0]?.function.name, toolName);
  const toolMessage = messages.find((message) => message.role === 'tool');
  assert.equal(toolMessage?.tool_call_id, assistant?.tool_calls?.[0]?.id);
  assert.match(JSON.stringify(toolMessage?.content), /sunny/);
};

test('run(agent, input): the recorded tool call runs the function tool, and the final answer follows its result', async () => {
  const first = forwarder.requests.length;
  const firstUpstream = upstream.requests.length;
  const calls: unknown[] = [];
  const result = await run(weatherAgent('get_current_weather', calls), 'What is the weather in Boston?');
  assert.deepEqual(calls, [{ location: 'Boston, MA' }]);
  assert.equal(result.finalOutput, fixtureJson(TEXT_WHOLE).choices[0].message.content);
  const { sent, reached } = exchangesSince(first, firstUpstream);
  assert.equal(sent.length, 2);
  assert.equal(sent[0]!.json().instructions, 'Answer weather questions with the tool.');
  assertToolTurn(sent[1]!, reached[1]!, 'get_current_weather');
});

test('run(agent, input, { stream: true }): the same round trip over streams', async () => {
  const first = forwarder.requests.length;
  const firstUpstream = upstream.requests.length;
  const calls: unknown[] = [];
  const result = await run(weatherAgent('get_weather', calls), 'What is the weather in New York?', { stream: true });
  let text = '';
  for await (const delta of result.toTextStream()) text += delta;
  await result.completed;
  assert.deepEqual(calls, [{ city: 'New York City' }]);
  const recordedText = recordedChatStreamText(TEXT_STREAM);
  assert.equal(text, recordedText);
  assert.equal(result.finalOutput, recordedText);
  const { sent, reached } = exchangesSince(first, firstUpstream);
  assert.equal(sent.length, 2);
  for (const request of sent) assert.equal(request.json().stream, true);
  assertToolTurn(sent[1]!, reached[1]!, 'get_weather');
});

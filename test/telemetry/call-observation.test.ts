import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runChat } from '../../proxy/core/run-chat.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import type { CallTelemetry } from '../../proxy/telemetry/call-telemetry.js';
import type { UsageObservation, UsageRecord } from '../../proxy/usage/usage-record.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { allDialectsAt, startTestGateway, TEST_TOKEN } from '../support/gateway.js';

/** Every lane reports each call once to the gateway's telemetry, with the answer's finish reasons
 * and model: the in-process lane (the chat view) and Gemini's relay lane included, and a relayed
 * answer reads as the translated one does. */

const GEMINI_TOOL_STREAM = 'gemini/stream-function-call-gemini-3-pro.vercel.jsonl';
const GEMINI_TOOL_WHOLE = 'gemini/generate-function-call-finish-message.vercel.json';
const OPENAI_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';

let upstream: FakeUpstream;
let gateway: RunningGateway;
const calls: { record: UsageRecord; observation: UsageObservation }[] = [];

/** The recording with usage left on its last chunk only: the function call arrives in a chunk the
 * relay lane does not parse for usage. */
const toolStreamUsageLast = (): string[] => {
  const events = fixtureEvents(GEMINI_TOOL_STREAM);
  return events.map((event, index) => {
    if (index === events.length - 1) return event;
    const chunk = JSON.parse(event.replace(/^data: /, ''));
    delete chunk.usageMetadata;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  });
};

const recording: CallTelemetry = {
  called: (record, observation) => calls.push({ record, observation: structuredClone(observation) }),
  shutdown: async () => undefined,
};

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(OPENAI_STREAM)))
    .on('POST /v1beta/models/gemini-3-pro-preview:streamGenerateContent', (_request, response) => sendEvents(response, toolStreamUsageLast()))
    .on('POST /v1beta/models/gemini-3-pro-preview:generateContent', (_request, response) => sendJson(response, 200, fixtureJson(GEMINI_TOOL_WHOLE)))
    .start();
  gateway = await startTestGateway({ providers: allDialectsAt(upstream), telemetry: recording });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

const root = () => `http://127.0.0.1:${gateway.port}`;

/** The one call reported for a request id. */
const reported = (requestId: string | null) => {
  const found = calls.filter((call) => call.record.requestId === requestId);
  assert.equal(found.length, 1, `one report for ${requestId}`);
  return found[0];
};

test('an in-process call (the chat view) is reported once, with its finish reason and model', async () => {
  const before = calls.length;
  for await (const part of runChat(gateway.context, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal })) {
    assert.notEqual(part.type, 'error');
  }
  assert.equal(calls.length, before + 1);
  const { record, observation } = calls.at(-1)!;
  assert.equal(record.client, 'chat-view');
  assert.deepEqual(observation.finishReasons, ['stop']);
  assert.equal(observation.responseModel, 'gpt-4o-2024-08-06');
});

test('a Gemini answer that calls a function finishes with tool_calls on the relay lane as on the translated one', async () => {
  const native = await fetch(`${root()}/v1beta/models/gemini/gemini-3-pro-preview:streamGenerateContent?alt=sse`, {
    method: 'POST',
    headers: { 'x-goog-api-key': TEST_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'weather?' }] }] }),
  });
  await native.text();
  assert.equal(native.status, 200);
  const relayed = reported(native.headers.get('x-request-id'));
  assert.equal(relayed.record.provider, 'gemini', 'the relay lane served it');

  const translated = await fetch(`${root()}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gemini/gemini-3-pro-preview', stream: true, messages: [{ role: 'user', content: 'weather?' }] }),
  });
  await translated.text();
  assert.equal(translated.status, 200);
  const neutral = reported(translated.headers.get('x-request-id'));

  assert.deepEqual(relayed.observation.finishReasons, ['tool_calls']);
  assert.deepEqual(neutral.observation.finishReasons, relayed.observation.finishReasons);
  assert.equal(relayed.observation.responseModel, 'gemini-3-pro-preview');
  assert.equal(neutral.observation.responseModel, relayed.observation.responseModel);
});

test('a whole Gemini answer on the relay lane gives its finish reason and model too', async () => {
  const response = await fetch(`${root()}/v1beta/models/gemini/gemini-3-pro-preview:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': TEST_TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'weather?' }] }] }),
  });
  await response.text();
  assert.equal(response.status, 200);
  const { observation } = reported(response.headers.get('x-request-id'));
  const whole = fixtureJson(GEMINI_TOOL_WHOLE);
  assert.deepEqual(observation.finishReasons, ['tool_calls']);
  assert.equal(observation.responseModel, whole.modelVersion);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let client: OpenAI;

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      if (request.json().stream) await sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse'));
      else sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
    })
    .start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

test('a non-streamed chat answer reaches the openai client unchanged', async () => {
  const recorded = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
  const answer = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(answer.choices[0]?.message.content, recorded.choices[0].message.content);
  assert.equal(upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
});

test('a streamed chat answer arrives as the recording holds it, without the usage chunk nobody asked for', async () => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  let text = '';
  let usageChunks = 0;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usageChunks += 1;
  }
  assert.ok(text.length > 0);
  assert.equal(usageChunks, 0);
  assert.deepEqual(upstream.last().json().stream_options, { include_usage: true });
});

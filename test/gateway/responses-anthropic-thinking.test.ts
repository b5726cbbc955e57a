import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream, sendEvents } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** Codex's request shape (stream, store off, encrypted reasoning asked for, developer and user
 * items, a namespace and a web_search tool) over an Anthropic thinking recording, two turns with a
 * gateway restart between them: the second turn's upstream request carries the first turn's
 * thinking block with its signature, rebuilt from the reasoning item's `encrypted_content`. */

const RECORDING = 'anthropic/stream-thinking-signature-delta-then-text.vercel.jsonl';
const folder = mkdtempSync(join(tmpdir(), 'modapi-responses-'));
const upstream = new FakeUpstream();

before(async () => {
  await upstream.start();
  upstream.on('POST /v1/messages', (_request, response) => sendEvents(response, fixtureEvents(RECORDING)));
});

after(async () => {
  await upstream.close();
  rmSync(folder, { recursive: true, force: true });
});

const startGateway = () => startTestGateway({ providers: { anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY } }, responses: { dir: folder } });

const codexRequest = (input: unknown[]) =>
  ({
    model: 'anthropic/claude-sonnet-4-5',
    instructions: 'You are Codex.',
    input,
    stream: true,
    store: false,
    include: ['reasoning.encrypted_content'],
    reasoning: { effort: 'medium', summary: 'auto' },
    tools: [{ type: 'web_search' }, { type: 'namespace', name: 'multi_agent_v1', description: 'Agents.', tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object', properties: {} } }] }],
    parallel_tool_calls: false,
  }) as never;

/** The recording's thinking block, as Anthropic must get it back. */
const recordedThinking = () => {
  const lines = fixtureEvents(RECORDING).map((event) => JSON.parse(event.split('data: ')[1]!));
  const thinking = lines.filter((line) => line.delta?.type === 'thinking_delta').map((line) => line.delta.thinking).join('');
  const signature = lines.find((line) => line.delta?.type === 'signature_delta').delta.signature;
  return { type: 'thinking', thinking, signature };
};

test('a thinking signature survives store:false and a gateway restart inside encrypted_content', async () => {
  const firstInput = [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Work carefully.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is 2+2?' }] },
  ];
  let gateway = await startGateway();
  let client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  const first = await client.responses.stream(codexRequest(firstInput)).finalResponse();
  await gateway.close();
  const reasoning = first.output.find((item) => item.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem;
  assert.ok(reasoning?.encrypted_content, 'the reasoning item carries encrypted_content');
  assert.equal(reasoning.summary[0]?.text, recordedThinking().thinking);
  const firstUpstream = upstream.last().json();
  assert.deepEqual(
    firstUpstream.tools.map((tool: { name: string }) => tool.name),
    ['multi_agent_v1__spawn'],
  );

  gateway = await startGateway();
  client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  const secondInput = [...firstInput, ...first.output.map((item) => JSON.parse(JSON.stringify(item))), { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And 3+3?' }] }];
  await client.responses.stream(codexRequest(secondInput)).finalResponse();
  await gateway.close();
  const sent = upstream.last().json();
  const assistant = sent.messages.find((message: { role: string }) => message.role === 'assistant');
  assert.deepEqual(assistant.content[0], recordedThinking());
});

test('an encrypted_content changed by the client is refused, with nothing sent upstream', async () => {
  const gateway = await startGateway();
  const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  try {
    const first = await client.responses.stream(codexRequest([{ role: 'user', content: 'hi' }])).finalResponse();
    const reasoning = first.output.find((item) => item.type === 'reasoning') as OpenAI.Responses.ResponseReasoningItem;
    const forged = { ...reasoning, encrypted_content: reasoning.encrypted_content!.replace(/^(modapi1\.)./, '$1A') };
    const before = upstream.requests.length;
    await assert.rejects(client.responses.create(codexRequest([{ role: 'user', content: 'hi' }, forged, { role: 'user', content: 'again' }])), (error: unknown) => error instanceof OpenAI.BadRequestError);
    assert.equal(upstream.requests.length, before);
  } finally {
    await gateway.close();
  }
});

// The recorded message's usage is the one the whole answer is checked against elsewhere; here only
// its presence matters, so the stream's final usage must be there.
test('the streamed answer over Anthropic reports usage in Responses terms', async () => {
  const gateway = await startGateway();
  const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  try {
    const response = await client.responses.stream(codexRequest([{ role: 'user', content: 'hi' }])).finalResponse();
    assert.ok(response.usage && response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
    assert.equal(response.usage.total_tokens, response.usage.input_tokens + response.usage.output_tokens);
  } finally {
    await gateway.close();
  }
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

/** The official `openai` SDK's Responses client against the gateway, over a chat-only upstream
 * (the default provider, OpenAI-compatible) serving recordings. The SDK's own stream accumulator
 * (`responses.stream().finalResponse()`) is the independent reading of the gateway's events. */

let harness: Harness;
let client: OpenAI;
let now = Date.now();

before(async () => {
  harness = await startHarness(new FakeUpstream(), {
    tokens: [
      { name: 'default', token: TEST_TOKEN },
      { name: 'other', token: 'other-local-token-for-tests' },
    ],
    responses: { now: () => now, maxAgeMs: 60_000 },
  });
  client = harness.client;
});

after(() => harness.close());

const CHAT = 'POST /v1/chat/completions';

const replyJson = (body: unknown): void => {
  harness.upstream.on(CHAT, (_request, response) => sendJson(response, 200, body));
};

const replyEvents = (path: string): void => {
  harness.upstream.on(CHAT, (_request, response) => sendEvents(response, fixtureEvents(path)));
};

/** What two answers to the same recording must share: the output without ids (each response has
 * its own) and without what the SDK's stream helper adds (`parsed_arguments`), the status, usage. */
const comparable = (response: OpenAI.Responses.Response) => ({
  status: response.status,
  output: response.output.map((item) => Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'id' && key !== 'parsed_arguments'))),
  usage: response.usage,
});

const TOOLS: OpenAI.Responses.Tool[] = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } }, strict: false }];

test('responses.create, whole: the chat answer as a message output item, usage in Responses terms', async () => {
  replyJson(fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const recorded = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
  const response = await client.responses.create({ model: 'gpt-4.1-nano', input: 'Hello', instructions: 'Be brief.' });
  assert.equal(response.object, 'response');
  assert.equal(response.status, 'completed');
  assert.equal(response.output_text, recorded.choices[0].message.content);
  assert.deepEqual(response.usage, {
    input_tokens: recorded.usage.prompt_tokens,
    input_tokens_details: { cached_tokens: recorded.usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: recorded.usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: recorded.usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: recorded.usage.prompt_tokens + recorded.usage.completion_tokens,
  });
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
  ]);
});

test('responses.stream: finalResponse() equals the whole answer built from the same stream by the SDK', async () => {
  const path = 'openai/chat-stream-tool-call-strict-single.openai-python.sse';
  // The chat completion the SDK's own chat accumulator builds from the recording, straight from the fake.
  replyEvents(path);
  const direct = new OpenAI({ baseURL: harness.upstream.url(), apiKey: 'fake-key-for-the-fake-upstream', maxRetries: 0 });
  const completion = await direct.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'replay' }] }).finalChatCompletion();

  replyEvents(path);
  const events: OpenAI.Responses.ResponseStreamEvent[] = [];
  const stream = client.responses.stream({ model: 'gpt-4o', input: 'replay', tools: TOOLS });
  for await (const event of stream) events.push(event);
  const streamed = await stream.finalResponse();

  replyJson(JSON.parse(JSON.stringify(completion)));
  const whole = await client.responses.create({ model: 'gpt-4o', input: 'replay', tools: TOOLS });

  assert.deepEqual(comparable(streamed), comparable(whole));
  assert.equal(streamed.output[0]?.type, 'function_call');
  assert.deepEqual(
    events.map((event) => event.sequence_number),
    events.map((_event, index) => index),
  );
  assert.equal(events[0]?.type, 'response.created');
  assert.equal(events[1]?.type, 'response.in_progress');
  assert.equal(events.at(-1)?.type, 'response.completed');
  const call = streamed.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
  const deltas = events.filter((event) => event.type === 'response.function_call_arguments.delta').map((event) => (event as { delta: string }).delta);
  assert.equal(deltas.join(''), call.arguments);
});

test('a function tool round trip with function_call_output, chained by previous_response_id over a chat-only upstream', async () => {
  replyJson(fixtureJson('openai/chat-completion-tool-call.openapi-example.json'));
  const first = await client.responses.create({ model: 'gpt-4o', input: 'What is the weather?', tools: TOOLS });
  const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
  assert.ok(call, 'the first response calls the tool');

  replyJson(fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const second = await client.responses.create({ model: 'gpt-4o', previous_response_id: first.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature": 21}' }], tools: TOOLS });
  assert.equal(second.previous_response_id, first.id);
  const sent = harness.upstream.last().json();
  assert.deepEqual(
    sent.messages.map((message: any) => message.role),
    ['user', 'assistant', 'tool'],
  );
  assert.equal(sent.messages[1].tool_calls[0].id, call.call_id);
  assert.equal(sent.messages[1].tool_calls[0].function.name, call.name);
  assert.equal(sent.messages[2].tool_call_id, call.call_id);

  const stored = await client.responses.retrieve(second.id);
  assert.equal(stored.output_text, second.output_text);
  const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
  assert.equal(items.data[0]?.type, 'function_call_output');
  await client.responses.delete(second.id);
  await assert.rejects(client.responses.retrieve(second.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
});

test('an item_reference stands for the stored item it names (the AI SDK sends them while store is on), for its token only', async () => {
  const recorded = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
  replyJson(recorded);
  const first = await client.responses.create({ model: 'gpt-4o', input: 'Hello' });
  const unstored = await client.responses.create({ model: 'gpt-4o', input: 'Hello', store: false });
  const reference = (id: string) => ({ input: [{ role: 'user', content: 'Hello' }, { type: 'item_reference', id }, { role: 'user', content: 'Again?' }] });

  await client.responses.create({ model: 'gpt-4o', ...reference(first.output[0]!.id!) } as never);
  assert.deepEqual(harness.upstream.last().json().messages, [
    { role: 'user', content: 'Hello' },
    { role: 'assistant', content: recorded.choices[0].message.content },
    { role: 'user', content: 'Again?' },
  ]);

  await refusedLocally(reference(first.output[0]!.id!), 404, 'other-local-token-for-tests');
  await refusedLocally(reference(unstored.output[0]!.id!), 404);
  await refusedLocally(reference('msg_not_from_this_gateway'), 404);
  await refusedLocally({ input: [{ type: 'item_reference' }] }, 400);
});

test('namespace tools are flattened for the upstream and their calls mapped back; built-in tools are left out with a warning', async () => {
  replyJson({
    id: 'chatcmpl-namespace',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_spawn', type: 'function', function: { name: 'multi_agent_v1__spawn', arguments: '{}' } }] }, finish_reason: 'tool_calls' }],
  });
  const { data, response } = await client.responses
    .create({
      model: 'gpt-4o',
      input: 'go',
      tools: [{ type: 'web_search' }, { type: 'namespace', name: 'multi_agent_v1', description: 'Agents.', tools: [{ type: 'function', name: 'spawn', parameters: { type: 'object', properties: {} } }] }] as unknown as OpenAI.Responses.Tool[],
    })
    .withResponse();
  assert.match(response.headers.get('x-modapi-warning') ?? '', /web_search/);
  const sent = harness.upstream.last().json();
  assert.deepEqual(
    sent.tools.map((tool: any) => tool.function.name),
    ['multi_agent_v1__spawn'],
  );
  const call = data.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
  assert.equal(call.name, 'spawn');
  assert.equal(call.namespace, 'multi_agent_v1');
});

test('a left-out tool whose type is not an identifier is named "(unnamed)": it never reaches a header or the log as sent', async () => {
  replyJson({ id: 'chatcmpl-odd-tool', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
  // Once a 500 after the upstream call was made and paid for (Node refused the header), with a
  // forged line in the log.
  const { response } = await client.responses
    .create({ model: 'gpt-4o', input: 'go', tools: [{ type: 'web_search_\u2028\r\nx-evil: 1' }, { type: 'code_interpreter', name: 'bad name\n' }] as unknown as OpenAI.Responses.Tool[] })
    .withResponse();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-modapi-warning'), 'tools left out (the provider cannot run them): (unnamed), code_interpreter ((unnamed))');
  assert.equal(response.headers.get('x-evil'), null);
});

test('images a tool returned (parallel calls) follow all the results as a user message: chat tool messages hold text only', async () => {
  replyJson({ id: 'chatcmpl-tool-images', object: 'chat.completion', created: 1, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: 'two screenshots' }, finish_reason: 'stop' }] });
  const png = 'data:image/png;base64,iVBORw0KGgo=';
  await client.responses.create({
    model: 'gpt-4o',
    store: false,
    input: [
      { role: 'user', content: 'screenshot both' },
      { type: 'function_call', call_id: 'call_a', name: 'shot', arguments: '{}' },
      { type: 'function_call', call_id: 'call_b', name: 'shot', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_a', output: [{ type: 'input_text', text: 'first' }, { type: 'input_image', image_url: png }] },
      { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_image', image_url: png }] },
    ] as unknown as OpenAI.Responses.ResponseInput,
    tools: TOOLS,
  });
  const sent = harness.upstream.last().json().messages as { role: string; content: unknown; tool_call_id?: string }[];
  assert.deepEqual(sent.slice(-3), [
    { role: 'tool', tool_call_id: 'call_a', content: 'first' },
    { role: 'tool', tool_call_id: 'call_b', content: '' },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: png } }, { type: 'image_url', image_url: { url: png } }] },
  ]);
});

test('a streamed call whose name comes after its id, and one without arguments: named, with arguments "{}" (hand-written chunks)', async () => {
  const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  harness.upstream.on(CHAT, (_request, response) =>
    sendEvents(response, [
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'get_weather' } }] }),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ]),
  );
  const final = await client.responses.stream({ model: 'gpt-4o', input: 'weather?', tools: TOOLS, store: false }).finalResponse();
  const call = final.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
  assert.equal(call.type, 'function_call');
  assert.equal(call.name, 'get_weather', 'once "": the name came in the second fragment');
  assert.equal(call.arguments, '{}', 'once "": not JSON, and Codex parses it');
});

test('a refusal is a refusal content part (response.refusal.delta/done), not output_text that a structured-output reader would parse', async () => {
  replyEvents('openai/chat-stream-refusal-deltas.openai-python.sse');
  const stream = client.responses.stream({ model: 'gpt-4o', input: 'something refused', store: false });
  const types = new Set<string>();
  stream.on('event', (event) => types.add(event.type));
  const final = await stream.finalResponse();
  const message = final.output[0] as OpenAI.Responses.ResponseOutputMessage;
  assert.equal(message.content[0]?.type, 'refusal');
  assert.ok((message.content[0] as OpenAI.Responses.ResponseOutputRefusal).refusal.length > 0);
  assert.ok(!final.output_text, 'no output_text to parse as JSON');
  assert.ok(types.has('response.refusal.delta') && types.has('response.refusal.done'), [...types].join(', '));
  assert.equal(types.has('response.output_text.delta'), false);
});

/** A 4xx in OpenAI's error shape, with nothing sent upstream. */
const refusedLocally = async (body: Record<string, unknown>, status: number, apiKey = TEST_TOKEN): Promise<void> => {
  const before = harness.upstream.requests.length;
  const caller = apiKey === TEST_TOKEN ? client : new OpenAI({ baseURL: harness.gateway.url, apiKey, maxRetries: 0 });
  await assert.rejects(caller.responses.create({ model: 'gpt-4o', ...body } as never), (error: unknown) => {
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, status);
    assert.equal(typeof (error.error as { message?: unknown }).message, 'string');
    return true;
  });
  assert.equal(harness.upstream.requests.length, before, 'nothing went upstream');
};

test('bad input: each a 4xx in the Responses error shape, with nothing sent upstream', async () => {
  await refusedLocally({ input: [{ type: 'computer_call_output', call_id: 'x' }] }, 400);
  await refusedLocally({ input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }] }, 400);
  await refusedLocally({ input: 'x', previous_response_id: 'resp_does_not_exist' }, 404);
  await refusedLocally({ input: 'x', tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search' } }, 400);

  replyJson(fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const mine = await client.responses.create({ model: 'gpt-4o', input: 'remember this' });
  await refusedLocally({ input: 'x', previous_response_id: mine.id }, 404, 'other-local-token-for-tests');
  now += 120_000;
  await refusedLocally({ input: 'x', previous_response_id: mine.id }, 404);
});

test('store: false keeps nothing', async () => {
  replyJson(fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
  const response = await client.responses.create({ model: 'gpt-4o', input: 'forget this', store: false });
  assert.equal((response as unknown as { store: boolean }).store, false);
  await assert.rejects(client.responses.retrieve(response.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
});

test('a stream the upstream breaks midway ends with error and response.failed, which the SDK raises', async () => {
  const events = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  harness.upstream.on(CHAT, async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(events[0]);
    response.write(events[1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    response.destroy();
  });
  const seen: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const event of await client.responses.create({ model: 'gpt-4o', input: 'x', stream: true })) seen.push(event.type);
    })(),
    (error: unknown) => error instanceof OpenAI.APIError,
  );
  assert.equal(seen[0], 'response.created');
  assert.ok(seen.includes('response.output_text.delta'), seen.join(' '));
});

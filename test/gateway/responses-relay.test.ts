import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { gatewayOptionsFromCli } from '../../proxy/cli/serve.js';
import { configFileSchema } from '../../proxy/config/config-file.js';
import { PROVIDER_PRESETS } from '../../proxy/providers/presets.js';
import { ProviderRegistry } from '../../proxy/providers/registry.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson, type SeenRequest } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, fixtureText, responsesTurns } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { eventually, signal } from './harness.js';

/** `/v1/responses` relayed to a provider that serves the Responses API itself (the `openai`
 * preset), against recorded OpenAI Responses traffic (test/fixtures/openai-responses) served by a
 * fake upstream: the client gets the recorded events (the model named as it asked), the upstream
 * gets the client's body (the model id its own), the ledger the recorded usage. */

const upstream = new FakeUpstream();
let gateway: RunningGateway;

const RESPONSES = 'POST /v1/responses';
const OTHER_TOKEN = 'mk-local-other-token-0123456789abcdef';
const CHAT = 'POST /v1/chat/completions';

before(async () => {
  await upstream.start();
  gateway = await startTestGateway({
    providers: {
      openai: { baseUrl: upstream.url(), apiKey: TEST_KEY },
      modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY },
      // The same host with the relay turned off by configuration.
      chatonly: { baseUrl: upstream.url(), apiKey: TEST_KEY, responsesApi: false },
    },
    fallbacks: { 'openai/gpt-4o-mini': ['gpt-4o'] },
    tokens: [
      { name: 'default', token: TEST_TOKEN },
      { name: 'other', token: OTHER_TOKEN },
    ],
  });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

type Event = Record<string, any>;

const post = (body: Record<string, unknown>) =>
  fetch(`${gateway.url}/responses`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The SSE events of a body, checking that each names its type on an `event:` line. */
const eventsOf = (text: string): Event[] =>
  text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)) as Event;
      assert.equal(lines[0], `event: ${event.type}`);
      return event;
    });

const recordedEvents = (served: string[]): Event[] => served.map((event) => JSON.parse(event.split('data: ')[1]!) as Event);

/** The recorded events as the client must see them: the model named as the client asked. */
const asClientSees = (events: Event[], model: string): Event[] =>
  events.map((event) => (event.response && typeof event.response.model === 'string' ? { ...event, response: { ...event.response, model } } : event));

const lastRecord = () => gateway.context.ledger!.recent(1)[0]!;

const usageOf = (record: ReturnType<typeof lastRecord>) => ({
  promptTokens: record.promptTokens,
  completionTokens: record.completionTokens,
  cachedTokens: record.cachedTokens,
  reasoningTokens: record.reasoningTokens,
});

const recordedUsage = (usage: any) => ({
  promptTokens: usage.input_tokens,
  completionTokens: usage.output_tokens,
  cachedTokens: usage.input_tokens_details.cached_tokens,
  reasoningTokens: usage.output_tokens_details.reasoning_tokens,
});

const STREAMS = [
  { path: 'openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl', turn: 0 },
  { path: 'openai-responses/stream-function-call-arguments-deltas-gpt-5-1.vercel.jsonl', turn: 0 },
  { path: 'openai-responses/stream-reasoning-encrypted-summary-function-calls-4-turns-gpt-5-1-codex-max.vercel.jsonl', turn: 0 },
  { path: 'openai-responses/stream-reasoning-encrypted-summary-function-calls-4-turns-gpt-5-1-codex-max.vercel.jsonl', turn: 3 },
  { path: 'openai-responses/stream-two-messages-phase-commentary-final-gpt-5-3-codex.vercel.jsonl', turn: 0 },
];

for (const { path, turn } of STREAMS) {
  test(`streamed, ${path.split('/')[1]} #${turn + 1}: the recorded events, the client's model, the recorded usage in the ledger`, async () => {
    const served = responsesTurns(path)[turn]!;
    upstream.on(RESPONSES, (_request, response) => sendEvents(response, served));
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} } }, { type: 'web_search' }];
    const body = { model: 'openai/gpt-5.1', input: [{ role: 'user', content: 'replay' }], stream: true, store: false, include: ['reasoning.encrypted_content'], tools, prompt_cache_key: 'k1' };
    const answer = await post(body);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(answer.headers.get('x-modapi-provider'), 'openai');
    const recorded = recordedEvents(served);
    assert.deepEqual(eventsOf(await answer.text()), asClientSees(recorded, 'openai/gpt-5.1'));
    // What went upstream: the client's body with the upstream's model id, the provider's key.
    const seen = upstream.last();
    assert.equal(seen.url, '/v1/responses');
    assert.equal(seen.headers.authorization, `Bearer ${TEST_KEY}`);
    assert.deepEqual(seen.json(), { ...body, model: 'gpt-5.1' });
    const record = lastRecord();
    assert.deepEqual([record.endpoint, record.provider, record.model, record.status, record.stream], ['/v1/responses', 'openai', 'gpt-5.1', 200, true]);
    assert.deepEqual(usageOf(record), recordedUsage(recorded.at(-1)!.response.usage));
  });
}

const WHOLE = ['openai-responses/response-text-usage-gpt-4o-mini.vercel.json', 'openai-responses/response-reasoning-encrypted-content-store-false-gpt-5-mini.vercel.json', 'openai-responses/response-web-search-call-url-citations-gpt-5-mini.vercel.json'];

for (const path of WHOLE) {
  test(`whole, ${path.split('/')[1]}: the recorded response, the client's model, the recorded usage`, async () => {
    upstream.on(RESPONSES, (_request, response) => sendJson(response, 200, fixtureText(path)));
    const answer = await post({ model: 'openai/gpt-5-mini', input: 'replay', tools: [{ type: 'web_search' }] });
    assert.equal(answer.status, 200);
    const recorded = fixtureJson(path);
    assert.deepEqual(await answer.json(), { ...recorded, model: 'openai/gpt-5-mini' });
    assert.deepEqual(upstream.last().json(), { model: 'gpt-5-mini', input: 'replay', tools: [{ type: 'web_search' }] });
    assert.deepEqual(usageOf(lastRecord()), recordedUsage(recorded.usage));
  });
}

test('split delivery: events cut anywhere, characters cut mid-byte, still arrive whole and in order', async () => {
  const served = responsesTurns('openai-responses/stream-reasoning-encrypted-summary-function-calls-4-turns-gpt-5-1-codex-max.vercel.jsonl')[0]!;
  const bytes = Buffer.from(served.join('') + 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"é✓","sequence_number":99}\n\n');
  upstream.on(RESPONSES, async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let start = 0; start < bytes.length; start += 5) {
      response.write(bytes.subarray(start, start + 5));
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.end();
  });
  const events = eventsOf(await (await post({ model: 'openai/gpt-5.1', input: 'x', stream: true })).text());
  assert.equal(events.length, served.length + 1);
  assert.equal(events.at(-1)!.delta, 'é✓');
});

test('previous_response_id and store go to the upstream, which keeps the conversation; the gateway stores nothing of it', async () => {
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 200, fixtureText(WHOLE[0]!)));
  const answer = await post({ model: 'openai/gpt-4o-mini', input: 'and then?', previous_response_id: 'resp_upstream_123', store: true });
  assert.equal(answer.status, 200);
  const sent = upstream.last().json();
  assert.equal(sent.previous_response_id, 'resp_upstream_123');
  assert.equal(sent.store, true);
  assert.equal(gateway.context.responses!.store!.holds(((await answer.json()) as { id: string }).id, 'default'), false);
});

const read = (method: string, path: string, token = TEST_TOKEN) => fetch(`${gateway.url}/responses/${path}`, { method, headers: { authorization: `Bearer ${token}` } });

test("GET, input_items and DELETE of a relayed response are the provider's, asked with the gateway's key, for the token that made it only", async () => {
  const recorded = fixtureJson(WHOLE[0]!);
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 200, recorded));
  upstream.on(`GET /v1/responses/${recorded.id}`, (_request, response) => sendJson(response, 200, recorded));
  upstream.on(`GET /v1/responses/${recorded.id}/input_items`, (_request, response) => sendJson(response, 200, { object: 'list', data: [], first_id: null, last_id: null, has_more: false }));
  upstream.on(`DELETE /v1/responses/${recorded.id}`, (_request, response) => sendJson(response, 200, { id: recorded.id, object: 'response', deleted: true }));
  assert.equal((await post({ model: 'openai/gpt-4o-mini', input: 'hi' })).status, 200);
  const seen = upstream.requests.length;
  // Another token: not found, and the provider is not asked.
  assert.equal((await read('GET', recorded.id, OTHER_TOKEN)).status, 404);
  assert.equal(upstream.requests.length, seen);
  const got = await read('GET', `${recorded.id}?include[]=reasoning.encrypted_content`);
  assert.equal(got.status, 200);
  assert.deepEqual(await got.json(), { ...recorded, model: 'openai/gpt-4o-mini' });
  assert.equal(upstream.last().url, `/v1/responses/${recorded.id}?include[]=reasoning.encrypted_content`);
  assert.equal(upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.equal((await read('GET', `${recorded.id}/input_items`)).status, 200);
  const deleted = await read('DELETE', recorded.id);
  assert.deepEqual(await deleted.json(), { id: recorded.id, object: 'response', deleted: true });
  assert.equal(upstream.last().method, 'DELETE');
  // Forgotten once deleted.
  const before = upstream.requests.length;
  assert.equal((await read('GET', recorded.id)).status, 404);
  assert.equal(upstream.requests.length, before);
});

test('a response a provider keeps cannot be continued by a translated model: a 400 that says so, nothing sent upstream', async () => {
  const recorded = fixtureJson(WHOLE[1]!);
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 200, recorded));
  assert.equal((await post({ model: 'openai/gpt-5-mini', input: 'hi' })).status, 200);
  const seen = upstream.requests.length;
  const refused = await post({ model: 'gpt-4o', input: 'and then?', previous_response_id: recorded.id });
  assert.equal(refused.status, 400);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /kept by provider "openai"/);
  assert.equal(upstream.requests.length, seen);
});

test('a relayed response made with store off is not looked for at the provider', async () => {
  upstream.on(RESPONSES, (_request, response) => sendEvents(response, responsesTurns('openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl')[0]!));
  const text = await (await post({ model: 'openai/gpt-4o-mini', input: 'hi', stream: true, store: false })).text();
  const id = eventsOf(text)[0]!.response.id;
  const seen = upstream.requests.length;
  assert.equal((await read('GET', id)).status, 404);
  assert.equal(upstream.requests.length, seen);
});

test("a chain the gateway stored (a translated model's) is refused for a relayed model, with nothing sent upstream", async () => {
  upstream.on(CHAT, (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')));
  const first = await post({ model: 'gpt-4.1-nano', input: 'hello' });
  assert.equal(first.status, 200);
  const id = ((await first.json()) as { id: string }).id;
  const seen = upstream.requests.length;
  const refused = await post({ model: 'openai/gpt-4o-mini', input: 'and then?', previous_response_id: id });
  assert.equal(refused.status, 400);
  const error = ((await refused.json()) as { error: { param: string; message: string } }).error;
  assert.equal(error.param, 'previous_response_id');
  assert.match(error.message, /Send the earlier turns as input/);
  assert.equal(upstream.requests.length, seen);
});

test('items the gateway cannot translate pass to a relayed model unchecked (the upstream judges them)', async () => {
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 200, fixtureText(WHOLE[0]!)));
  const input = [{ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'x' } }, { type: 'local_shell_call_output', call_id: 'c1', output: 'ok' }];
  const answer = await post({ model: 'openai/gpt-4o-mini', input, tool_choice: { type: 'web_search' } });
  assert.equal(answer.status, 200);
  assert.deepEqual(upstream.last().json().input, input);
});

test('the relay turned off by configuration, or a preset without it (the default provider): translated to chat', async () => {
  upstream.on(CHAT, (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')));
  for (const model of ['chatonly/gpt-4.1-nano', 'gpt-4.1-nano']) {
    const answer = await post({ model, input: 'hello' });
    assert.equal(answer.status, 200);
    assert.equal(upstream.last().url, '/v1/chat/completions');
    assert.equal(((await answer.json()) as { model: string }).model, model);
  }
});

test('an upstream refusal keeps its status and message in the Responses error shape', async () => {
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 400, { error: { message: "Previous response with id 'resp_x' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' } }));
  const answer = await post({ model: 'openai/gpt-5.1', input: 'x', previous_response_id: 'resp_x' });
  assert.equal(answer.status, 400);
  const error = ((await answer.json()) as { error: Record<string, unknown> }).error;
  assert.deepEqual([error.param, error.code], ['previous_response_id', 'previous_response_not_found']);
  assert.deepEqual([lastRecord().status, lastRecord().errorCode], [400, 'previous_response_not_found']);
});

test('a fallback-worthy failure before the first byte falls back to the configured (translated) model', async () => {
  upstream.on(RESPONSES, (_request, response) => sendJson(response, 503, { error: { message: 'overloaded', type: 'server_error' } }));
  upstream.on(CHAT, (_request, response) => sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse')));
  const answer = await post({ model: 'openai/gpt-4o-mini', input: 'hello', stream: true });
  assert.equal(answer.status, 200);
  const events = eventsOf(await answer.text());
  assert.equal(events.at(-1)!.type, 'response.completed');
  assert.equal(upstream.last().url, '/v1/chat/completions');
  const record = lastRecord();
  assert.deepEqual([record.provider, record.model, record.requestedModel, record.status], ['modapi', 'gpt-4o', 'openai/gpt-4o-mini', 200]);
});

test("an error event mid-stream: relayed redacted (the upstream quoted the key), the ledger has the upstream's error", async () => {
  const served = responsesTurns('openai-responses/stream-error-event-then-response-failed-insufficient-quota.vercel.jsonl')[0]!.map((event) => event.replace('check your plan', `check your plan (key ${TEST_KEY})`));
  upstream.on(RESPONSES, (_request, response) => sendEvents(response, served));
  const text = await (await post({ model: 'openai/gpt-5-nano', input: 'x', stream: true })).text();
  assert.ok(!text.includes(TEST_KEY), 'the key reached the client');
  const events = eventsOf(text);
  assert.deepEqual(
    events.map((event) => event.type),
    ['response.created', 'response.in_progress', 'error', 'response.failed'],
  );
  assert.match(events[2]!.error.message, /\[redacted\]/);
  await eventually(() => lastRecord().requestedModel === 'openai/gpt-5-nano', 'the ledger record');
  assert.deepEqual([lastRecord().status, lastRecord().errorCode], [429, 'insufficient_quota']);
});

/** A streamed POST read event by event, so the test can hang up in the middle. */
const openStream = (body: Record<string, unknown>): Promise<{ firstEvent: Promise<string>; hangUp(): void }> =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${gateway.url}/responses`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' } }, (incoming) => {
      const first = signal<string>();
      incoming.once('data', (chunk: Buffer) => first.resolve(chunk.toString('utf8')));
      incoming.on('error', () => undefined);
      resolve({ firstEvent: first.promise, hangUp: () => outgoing.destroy() });
    });
    outgoing.on('error', () => undefined);
    outgoing.once('error', reject);
    outgoing.end(JSON.stringify(body));
  });

test('a client that hangs up mid-stream: the upstream request is cut, the ledger keeps what was used', async () => {
  const served = responsesTurns('openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl')[0]!;
  const upstreamClosed = signal();
  let seenRequest: SeenRequest | undefined;
  upstream.on(RESPONSES, (request, response) => {
    seenRequest = request;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(served[0]);
    response.on('close', () => upstreamClosed.resolve());
  });
  const stream = await openStream({ model: 'openai/gpt-4o-mini', input: 'x', stream: true });
  assert.match(await stream.firstEvent, /response\.created/);
  stream.hangUp();
  await upstreamClosed.promise;
  assert.ok(seenRequest);
  await eventually(() => lastRecord().requestedModel === 'openai/gpt-4o-mini' && lastRecord().stream, 'the ledger record of the cut stream');
  assert.equal(lastRecord().errorCode, 'client_closed');
});

test('which providers relay: the openai preset only by default; a config file turns it on or off per provider', () => {
  const defaults = new ProviderRegistry();
  assert.deepEqual(
    PROVIDER_PRESETS.filter((preset) => defaults.get(preset.id)!.responsesApi).map((preset) => preset.id),
    ['openai'],
  );
  const config = configFileSchema.parse({ providers: { openai: { responsesApi: false }, xai: { responsesApi: true }, mine: { baseUrl: 'http://127.0.0.1:9/v1', responsesApi: true } } });
  const { options } = gatewayOptionsFromCli({ command: 'serve', host: '127.0.0.1', port: 0, help: false, ledger: '/tmp/ledger' }, { OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, config);
  const configured = new ProviderRegistry(options.providers);
  assert.deepEqual(
    ['openai', 'xai', 'mine', 'modapi'].map((id) => configured.get(id)!.responsesApi),
    [false, true, true, false],
  );
});

test('budgets: a relayed answer is priced from the usage it reported, and past the cap the next request is refused before the upstream', async () => {
  // $1,000 and $4,000 per 1M tokens: the admission estimate ($4 for 1,000 output tokens) fits
  // under the $5 cap; the recorded answer (7,112 input and 463 output tokens) costs more.
  const budgeted = await startTestGateway({ providers: { openai: { baseUrl: upstream.url(), apiKey: TEST_KEY } }, budget: { dailyUsd: 5 }, priceOverrides: { 'openai/gpt-5.3-codex': { input: 1_000, output: 4_000 } } });
  try {
    const served = responsesTurns('openai-responses/stream-two-messages-phase-commentary-final-gpt-5-3-codex.vercel.jsonl')[0]!;
    upstream.on(RESPONSES, (_request, response) => sendEvents(response, served));
    const ask = () =>
      fetch(`${budgeted.url}/responses`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'openai/gpt-5.3-codex', input: 'x', stream: true }) });
    assert.equal((await (await ask()).text()).includes('response.completed'), true);
    const record = budgeted.context.ledger!.recent(1)[0]!;
    assert.equal(record.costSource, 'catalog');
    assert.ok((record.costUsd ?? 0) > 5, `cost $${record.costUsd}`);
    const seen = upstream.requests.length;
    const refused = await ask();
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'budget_exceeded');
    assert.equal(upstream.requests.length, seen);
  } finally {
    await budgeted.close();
  }
});

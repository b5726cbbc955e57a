import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { modalitiesFromArchitecture } from '../../proxy/adapters/openai-compatible/model-list.js';
import OpenAI from 'openai';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

/** Live lists of two providers: the default one (OpenRouter-like, ids with slashes) and OpenAI. */
let harness: Harness;
let openai: FakeUpstream;
let defaultList: Record<string, unknown>[];

const listRequests = (upstream: FakeUpstream): number => upstream.requests.filter((request) => request.url === '/v1/models').length;

before(async () => {
  // Hand-written, shaped as OpenRouter lists models (no recording of a models list exists).
  defaultList = [
    { id: 'meta-llama/llama-3.1-8b-instruct', owned_by: 'meta-llama', context_length: 131_072, architecture: { input_modalities: ['text'], output_modalities: ['text'] }, top_provider: { max_completion_tokens: 16_384 } },
    { id: 'gpt-4o', owned_by: 'openai' },
    { id: 'google/gemini-2.5-flash-image', name: 'Google: Nano Banana', context_length: 32_768, architecture: { input_modalities: ['image', 'text'], output_modalities: ['image', 'text'] } },
  ];
  openai = await new FakeUpstream().on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4.1-mini', object: 'model', created: 1, owned_by: 'system' }] })).start();
  const upstream = await new FakeUpstream().on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: defaultList })).start();
  harness = await startHarness(upstream, {
    providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, openai: { baseUrl: openai.url(), apiKey: 'sk-openai-test-key-0000' } },
  });
});

after(async () => {
  await harness.close();
  await openai.close();
});

test('models.list merges every configured provider, default ids bare, others prefixed, with the bundled metadata', async () => {
  const ids: string[] = [];
  for await (const model of harness.client.models.list()) ids.push(model.id);
  assert.deepEqual(ids.sort(), ['google/gemini-2.5-flash-image', 'gpt-4o', 'meta-llama/llama-3.1-8b-instruct', 'openai/gpt-4.1-mini']);
  const page = await harness.client.models.list();
  const gpt4o = page.data.find((model) => model.id === 'gpt-4o') as any;
  assert.equal(gpt4o.object, 'model');
  assert.equal(gpt4o.owned_by, 'openai');
  assert.equal(typeof gpt4o.created, 'number');
  assert.equal(gpt4o.modapi.context_window, 128_000, 'context window from the bundled table');
  assert.deepEqual(gpt4o.modapi.pricing, { input: 2.5, output: 10, cachedInput: 1.25 });
  assert.match(gpt4o.modapi.pricing_source, /\d{4}-\d{2}-\d{2}/, 'prices name their source and date');
  const llama = page.data.find((model) => model.id === 'meta-llama/llama-3.1-8b-instruct') as any;
  assert.equal(llama.modapi.context_window, 131_072, 'context window from the live list');
  assert.equal(llama.modapi.max_output_tokens, 16_384);
  assert.deepEqual(llama.modapi.modalities, ['text'], 'modalities from the provider metadata');
  const image = page.data.find((model) => model.id === 'google/gemini-2.5-flash-image') as any;
  assert.deepEqual(image.modapi.modalities, ['image']);
  assert.equal(image.modapi.name, 'Google: Nano Banana');
  assert.deepEqual(gpt4o.modapi.modalities, ['text', 'vision'], 'modalities from the bundled table');
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.equal(openai.last().headers.authorization, 'Bearer sk-openai-test-key-0000');
});

test('models.retrieve finds ids holding slashes, bare and provider-prefixed', async () => {
  const llama = await harness.client.models.retrieve('meta-llama/llama-3.1-8b-instruct');
  assert.equal(llama.id, 'meta-llama/llama-3.1-8b-instruct');
  const prefixed = await harness.client.models.retrieve('openai/gpt-4.1-mini');
  assert.equal(prefixed.id, 'openai/gpt-4.1-mini');
  assert.equal((prefixed as any).modapi.provider, 'openai');
  assert.equal((prefixed as any).modapi.upstream_id, 'gpt-4.1-mini');
});

test('models.retrieve of an unknown model is a 404 model_not_found', async () => {
  await assert.rejects(harness.client.models.retrieve('no-such-model-xyz'), (error: any) => error.status === 404 && error.code === 'model_not_found');
  await assert.rejects(harness.client.models.retrieve('nope/some-model'), (error: any) => error.status === 404 && error.code === 'model_not_found');
});

test('the list is cached; ?refresh=true asks the upstreams again and sees what changed', async () => {
  await harness.client.models.list();
  const before = listRequests(harness.upstream);
  await harness.client.models.list();
  assert.equal(listRequests(harness.upstream), before, 'served from the cache');
  defaultList = [...defaultList, { id: 'qwen/qwen3-coder', owned_by: 'qwen' }];
  const refreshed = await harness.client.models.list({ query: { refresh: 'true' } } as any);
  assert.equal(listRequests(harness.upstream), before + 1);
  assert.ok(refreshed.data.some((model) => model.id === 'qwen/qwen3-coder'));
  assert.equal((await harness.client.models.retrieve('qwen/qwen3-coder')).id, 'qwen/qwen3-coder');
});

test('a provider whose list fails leaves the others listed', async () => {
  openai.on('GET /v1/models', (_request, response) => sendJson(response, 500, { error: { message: 'boom' } }));
  const refreshed = await harness.client.models.list({ query: { refresh: 'true' } } as any);
  const ids = refreshed.data.map((model) => model.id);
  assert.ok(ids.includes('gpt-4o'));
  assert.ok(!ids.includes('openai/gpt-4.1-mini'));
});

test('modalities from a host\'s architecture metadata', () => {
  assert.deepEqual(modalitiesFromArchitecture({ input_modalities: ['text', 'image'], output_modalities: ['text'] }), ['text', 'vision']);
  assert.deepEqual(modalitiesFromArchitecture({ input_modalities: ['text'], output_modalities: ['image'] }), ['image']);
  assert.deepEqual(modalitiesFromArchitecture({ input_modalities: ['text'], output_modalities: ['embeddings'] }), ['embedding']);
  assert.deepEqual(modalitiesFromArchitecture({ input_modalities: ['text'], output_modalities: ['audio'] }), ['audio-speech']);
  assert.equal(modalitiesFromArchitecture(undefined), undefined);
  assert.equal(modalitiesFromArchitecture({ input_modalities: ['text'] }), undefined);
});

test('a list entry without an id is skipped, not a failure of the whole list', async () => {
  defaultList = [...defaultList, { owned_by: 'nobody' }, { id: '' }];
  const refreshed = await harness.client.models.list({ query: { refresh: 'true' } } as any);
  assert.ok(refreshed.data.some((model) => model.id === 'gpt-4o'));
  assert.ok(refreshed.data.every((model) => typeof model.id === 'string' && model.id.length > 0));
});

test('a keyless local provider the user pointed at (Ollama) is listed and served without any key', async () => {
  const ollama = await new FakeUpstream()
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'llama3.2:latest', object: 'model', owned_by: 'library' }] }))
    .on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')))
    .start();
  const gateway = await startTestGateway({ providers: { modapi: { baseUrl: harness.upstream.url(), apiKey: TEST_KEY }, ollama: { baseUrl: ollama.url() } } });
  try {
    const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
    const ids = (await client.models.list()).data.map((model) => model.id);
    assert.ok(ids.includes('ollama/llama3.2:latest'), ids.join(', '));
    assert.ok(!ids.some((id) => id.startsWith('lmstudio/')), 'providers nobody set up are not asked');
    await client.chat.completions.create({ model: 'ollama/llama3.2:latest', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(ollama.last().json().model, 'llama3.2:latest');
    assert.equal(ollama.last().headers.authorization, undefined, 'no key is sent to a keyless provider');
  } finally {
    await gateway.close();
    await ollama.close();
  }
});

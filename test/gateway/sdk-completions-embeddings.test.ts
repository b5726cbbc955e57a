import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, fixtureText } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

const LEGACY_STREAM = 'openai/legacy-completions-stream.vercel.jsonl';

const recordedLegacyChunks = (): any[] =>
  fixtureText(LEGACY_STREAM)
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));

const isUsageChunk = (chunk: any): boolean => Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage;

for (const includeUsage of [true, false]) {
  test(`completions, streamed, include_usage ${includeUsage}: the recorded legacy stream arrives chunk for chunk`, async () => {
    harness.upstream.on('POST /v1/completions', (_request, response) => sendEvents(response, [...fixtureEvents(LEGACY_STREAM), 'data: [DONE]\n\n']));
    const stream = await harness.client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Write a holiday',
      stream: true,
      max_tokens: 30,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const recorded = recordedLegacyChunks();
    assert.ok(recorded.some(isUsageChunk));
    assert.deepEqual(chunks, includeUsage ? recorded : recorded.filter((chunk) => !isUsageChunk(chunk)));
    const sent = harness.upstream.last().json();
    assert.equal(sent.model, 'gpt-3.5-turbo-instruct');
    assert.equal(sent.prompt, 'Write a holiday');
    assert.deepEqual(sent.stream_options, { include_usage: true }, 'usage is always asked for');
  });
}

test('completions, not streamed: the answer comes back unchanged', async () => {
  // Hand-written: no recording of a non-streamed legacy completion exists among the fixtures.
  const answer = {
    id: 'cmpl-handwritten',
    object: 'text_completion',
    created: 1770934485,
    model: 'gpt-3.5-turbo-instruct',
    choices: [{ text: ' A sunny beach.', index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 },
  };
  harness.upstream.on('POST /v1/completions', (_request, response) => sendJson(response, 200, answer));
  const completion = await harness.client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Write a holiday', suffix: '!', echo: false, best_of: 1 });
  assert.deepEqual(completion, answer);
  const sent = harness.upstream.last().json();
  assert.equal(sent.suffix, '!');
  assert.equal(sent.stream_options, undefined);
});

test('embeddings as floats: the recorded answer comes back unchanged', async () => {
  const recorded = fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json');
  harness.upstream.on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, recorded));
  const answer = await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'], encoding_format: 'float', dimensions: 5 });
  assert.deepEqual(answer, recorded);
  const sent = harness.upstream.last().json();
  assert.deepEqual(sent, { model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'], encoding_format: 'float', dimensions: 5 });
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
});

/** The recorded vectors as OpenAI sends them for encoding_format=base64 (little-endian float32). */
const asBase64 = (vector: number[]): string => Buffer.from(new Float32Array(vector).buffer).toString('base64');

test('embeddings as base64: the SDK default asks for base64 and decodes the same vectors', async () => {
  const recorded = fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json');
  const base64Answer = { ...recorded, data: recorded.data.map((item: any) => ({ ...item, embedding: asBase64(item.embedding) })) };
  harness.upstream.on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, base64Answer));
  const decoded = await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: ['sunny day at the beach', 'rainy day in the city'] });
  assert.equal(harness.upstream.last().json().encoding_format, 'base64');
  decoded.data.forEach((item, index) => {
    const expected = Array.from(new Float32Array(recorded.data[index].embedding));
    assert.deepEqual(item.embedding, expected);
  });
  const raw = await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: 'sunny day at the beach', encoding_format: 'base64' });
  assert.equal(raw.data[0]?.embedding as unknown as string, base64Answer.data[0].embedding);
});

test('embeddings: token ids as input are accepted', async () => {
  const recorded = fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json');
  harness.upstream.on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, recorded));
  await harness.client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3], [4, 5]], encoding_format: 'float' });
  assert.deepEqual(harness.upstream.last().json().input, [[1, 2, 3], [4, 5]]);
});

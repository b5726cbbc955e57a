import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { aspectRatioFromSize } from '../../proxy/adapters/gemini/image-generation.js';
import { sendJson } from '../support/fake-upstream.js';
import { TEST_KEY } from '../support/gateway.js';
import { startConformanceHarness, type ConformanceHarness } from './support.js';

/** Embeddings, image generation and the model list through the gateway. No recording of these
 * exists among the fixtures (see SOURCES.md, Gaps), so the fake upstream answers with bodies
 * written here in the shapes of Google's API reference; every expectation is read from them. */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('gemini');
});

after(async () => {
  await harness.close();
});

const VECTORS = [
  [0.013168523, -0.008711934, -0.046782676, 0.00069968984],
  [-0.0123, 0.5, 0.25, -1],
];

describe('embeddings (batchEmbedContents)', () => {
  before(() => {
    harness.upstream.on('POST /v1beta/models/gemini-embedding-001:batchEmbedContents', (request, response) => {
      const body = request.json();
      sendJson(response, 200, { embeddings: body.requests.map((_: unknown, index: number) => ({ values: VECTORS[index] })) });
    });
  });

  test('float vectors, one request per input, dimensions passed on', async () => {
    const answer = await harness.client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: ['first', 'second'], dimensions: 4, encoding_format: 'float' });
    assert.deepEqual(
      answer.data.map((item) => item.embedding),
      VECTORS,
    );
    assert.deepEqual(
      answer.data.map((item) => item.index),
      [0, 1],
    );
    assert.equal(answer.model, 'gemini/gemini-embedding-001');
    const sent = harness.upstream.last();
    assert.equal(sent.headers['x-goog-api-key'], TEST_KEY);
    assert.deepEqual(sent.json(), {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first' }] }, outputDimensionality: 4 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second' }] }, outputDimensionality: 4 },
      ],
    });
  });

  test('base64 vectors are little-endian float32, as OpenAI sends them', async () => {
    const response = await fetch(`${harness.gateway.url}/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.client.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini/gemini-embedding-001', input: 'first', encoding_format: 'base64' }),
    });
    const body = (await response.json()) as { data: { embedding: string }[] };
    const bytes = Buffer.from(body.data[0]?.embedding ?? '', 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
    assert.deepEqual(
      decoded,
      (VECTORS[0] as number[]).map((value) => Math.fround(value)),
    );
    // The openai SDK asks for base64 by default and decodes it: the same vector comes out.
    const sdk = await harness.client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: 'first' });
    assert.deepEqual(sdk.data[0]?.embedding, decoded);
  });

  test('token arrays are refused with a 400', async () => {
    await assert.rejects(harness.client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: [1, 2, 3], encoding_format: 'float' }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 400);
  });
});

describe('image generation', () => {
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

  test('a gemini-*-image model: generateContent asking for an image, the inlineData as b64_json, usage kept', async () => {
    const upstreamBody = {
      candidates: [{ content: { role: 'model', parts: [{ text: 'A red square.' }, { inlineData: { mimeType: 'image/png', data: PNG } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 1290, totalTokenCount: 1297 },
    };
    harness.upstream.on('POST /v1beta/models/gemini-2.5-flash-image:generateContent', (_request, response) => sendJson(response, 200, upstreamBody));
    const answer = await harness.client.images.generate({ model: 'gemini/gemini-2.5-flash-image', prompt: 'a red square', size: '1536x1024' });
    assert.equal(answer.data?.[0]?.b64_json, upstreamBody.candidates[0]?.content.parts[1]?.inlineData?.data);
    assert.equal(answer.data?.[0]?.revised_prompt, upstreamBody.candidates[0]?.content.parts[0]?.text);
    assert.deepEqual(answer.usage && { input: answer.usage.input_tokens, output: answer.usage.output_tokens }, { input: 7, output: 1290 });
    const sent = harness.upstream.last().json();
    assert.deepEqual(sent.contents, [{ role: 'user', parts: [{ text: 'a red square' }] }]);
    assert.deepEqual(sent.generationConfig, { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '3:2' } });
  });

  test('an imagen model: predict, every prediction as b64_json', async () => {
    const upstreamBody = { predictions: [{ bytesBase64Encoded: PNG, mimeType: 'image/png' }, { bytesBase64Encoded: PNG.slice(0, 20), mimeType: 'image/png' }] };
    harness.upstream.on('POST /v1beta/models/imagen-4.0-generate-001:predict', (_request, response) => sendJson(response, 200, upstreamBody));
    const answer = await harness.client.images.generate({ model: 'gemini/imagen-4.0-generate-001', prompt: 'two squares', n: 2, size: '1024x1024' });
    assert.deepEqual(
      answer.data?.map((item) => item.b64_json),
      upstreamBody.predictions.map((prediction) => prediction.bytesBase64Encoded),
    );
    assert.deepEqual(harness.upstream.last().json(), { instances: [{ prompt: 'two squares' }], parameters: { sampleCount: 2, aspectRatio: '1:1' } });
  });

  test('a filtered prompt (no image in the answer) is a clean 400', async () => {
    harness.upstream.on('POST /v1beta/models/gemini-2.5-flash-image-blocked:generateContent', (_request, response) => sendJson(response, 200, { promptFeedback: { blockReason: 'SAFETY' } }));
    await assert.rejects(
      harness.client.images.generate({ model: 'gemini/gemini-2.5-flash-image-blocked', prompt: 'x' }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 400 && /SAFETY/.test(error.message),
    );
  });

  test('sizes map to the nearest aspect ratio', () => {
    assert.equal(aspectRatioFromSize('1024x1024'), '1:1');
    assert.equal(aspectRatioFromSize('1024x1536'), '2:3');
    assert.equal(aspectRatioFromSize('1792x1024'), '16:9');
    assert.equal(aspectRatioFromSize('auto'), undefined);
  });
});

describe('model list', () => {
  test('GET /v1beta/models (every page) becomes catalog entries with context windows and modalities', async () => {
    const pages = [
      {
        models: [
          { name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash', inputTokenLimit: 1048576, outputTokenLimit: 65536, supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent'] },
          { name: 'models/gemini-embedding-001', displayName: 'Gemini Embedding 001', inputTokenLimit: 2048, outputTokenLimit: 1, supportedGenerationMethods: ['embedContent', 'countTextTokens', 'countTokens'] },
        ],
        nextPageToken: 'page-2',
      },
      {
        models: [
          { name: 'models/imagen-4.0-generate-001', displayName: 'Imagen 4', inputTokenLimit: 480, outputTokenLimit: 8192, supportedGenerationMethods: ['predict'] },
          { name: 'models/gemini-2.5-flash-image', displayName: 'Nano Banana', inputTokenLimit: 32768, outputTokenLimit: 32768, supportedGenerationMethods: ['generateContent', 'countTokens'] },
        ],
      },
    ];
    harness.upstream.on('GET /v1beta/models', (request, response) => {
      const pageToken = new URL(request.url, 'http://x').searchParams.get('pageToken');
      sendJson(response, 200, pageToken === 'page-2' ? pages[1] : pages[0]);
    });
    const response = await fetch(`${harness.gateway.url}/models?refresh=true`, { headers: { authorization: `Bearer ${harness.client.apiKey}` } });
    const list = (await response.json()) as { data: { id: string; modapi: { context_window: number | null; modalities?: string[]; upstream_id: string } }[] };
    const gemini = new Map(list.data.filter((model) => model.id.startsWith('gemini/')).map((model) => [model.id, model.modapi]));
    const all = pages.flatMap((page) => page.models);
    assert.deepEqual([...gemini.keys()].sort(), all.map((model) => `gemini/${model.name.slice('models/'.length)}`).sort());
    for (const model of all) assert.equal(gemini.get(`gemini/${model.name.slice(7)}`)?.context_window, model.inputTokenLimit);
    assert.deepEqual(gemini.get('gemini/gemini-2.5-flash')?.modalities, ['text', 'vision']);
    assert.deepEqual(gemini.get('gemini/gemini-embedding-001')?.modalities, ['embedding']);
    assert.deepEqual(gemini.get('gemini/imagen-4.0-generate-001')?.modalities, ['image']);
    assert.ok(gemini.get('gemini/gemini-2.5-flash-image')?.modalities?.includes('image'));
    assert.equal(harness.upstream.last().headers['x-goog-api-key'], TEST_KEY);
  });
});

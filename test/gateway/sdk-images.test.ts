import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { parseSeenMultipart, startHarness, type Harness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

test('images.generate: the recorded b64 answer with revised_prompt comes back unchanged', async () => {
  const recorded = fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json');
  harness.upstream.on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, recorded));
  const answer = await harness.client.images.generate({ model: 'dall-e-3', prompt: 'A cute baby sea otter', n: 1, size: '1024x1024', response_format: 'b64_json', style: 'vivid' });
  assert.deepEqual(answer, recorded);
  assert.deepEqual(harness.upstream.last().json(), { model: 'dall-e-3', prompt: 'A cute baby sea otter', n: 1, size: '1024x1024', response_format: 'b64_json', style: 'vivid' });
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
});

test('images.generate: a gpt-image answer with usage comes back unchanged', async () => {
  const recorded = fixtureJson('openai/images-generations-gpt-image-usage.openapi-example.json');
  harness.upstream.on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, recorded));
  const answer = await harness.client.images.generate({ model: 'gpt-image-1', prompt: 'otter', quality: 'high', background: 'transparent' });
  assert.deepEqual(answer, recorded);
});

test('images.generate streamed: the partial-image events arrive as recorded', async () => {
  const path = 'openai/images-generations-stream-partial-image.openapi-example.sse';
  harness.upstream.on('POST /v1/images/generations', (_request, response) => sendEvents(response, fixtureEvents(path)));
  const stream = await harness.client.images.generate({ model: 'gpt-image-1', prompt: 'otter', stream: true, partial_images: 2 });
  const events: any[] = [];
  for await (const event of stream) events.push(event);
  const recorded = fixtureEvents(path)
    .map((event) => /^data: (.*)$/m.exec(event)?.[1])
    .filter((data): data is string => data !== undefined && data !== '[DONE]')
    .map((data) => JSON.parse(data));
  assert.deepEqual(events, recorded);
});

test('images.edit: a multipart upload (toFile) reaches the upstream with the same bytes, the recorded answer comes back', async () => {
  const recorded = fixtureJson('openai/images-edits-gpt-image.vercel.json');
  harness.upstream.on('POST /v1/images/edits', (_request, response) => sendJson(response, 200, recorded));
  const image = Buffer.from(Array.from({ length: 70_000 }, (_value, index) => (index * 31) % 256));
  const mask = Buffer.from('mask-bytes');
  const answer = await harness.client.images.edit({
    model: 'gpt-image-1',
    image: await toFile(image, 'otter.png', { type: 'image/png' }),
    mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
    prompt: 'Add a hat',
    size: '1024x1024',
  });
  assert.deepEqual(answer, recorded);
  const seen = harness.upstream.last();
  assert.equal(seen.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.ok(!JSON.stringify(seen.headers).includes(TEST_TOKEN));
  const upload = await parseSeenMultipart(seen);
  assert.equal(upload.fields.model, 'gpt-image-1');
  assert.equal(upload.fields.prompt, 'Add a hat');
  assert.equal(upload.fields.size, '1024x1024');
  const sentImage = upload.files.find((file) => file.field === 'image');
  assert.ok(sentImage);
  assert.equal(sentImage.filename, 'otter.png');
  assert.equal(sentImage.mimeType, 'image/png');
  assert.ok(sentImage.data.equals(image));
  assert.ok(upload.files.find((file) => file.field === 'mask')?.data.equals(mask));
});

test('images.edit with several images (image[]) keeps every file in order', async () => {
  const recorded = fixtureJson('openai/images-edits-gpt-image.vercel.json');
  harness.upstream.on('POST /v1/images/edits', (_request, response) => sendJson(response, 200, recorded));
  const first = Buffer.from('first-image');
  const second = Buffer.from('second-image');
  await harness.client.images.edit({ model: 'gpt-image-1', image: [await toFile(first, 'a.png', { type: 'image/png' }), await toFile(second, 'b.png', { type: 'image/png' })], prompt: 'merge' });
  const upload = await parseSeenMultipart(harness.upstream.last());
  const images = upload.files.filter((file) => file.field.startsWith('image'));
  assert.deepEqual(images.map((file) => file.data.toString()), ['first-image', 'second-image']);
});

test('a provider-prefixed model reaches its provider with the prefix removed', async () => {
  const openai = await new FakeUpstream().on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json'))).start();
  const gateway = await startTestGateway({ providers: { modapi: { baseUrl: harness.upstream.url(), apiKey: TEST_KEY }, openai: { baseUrl: openai.url(), apiKey: 'sk-openai-key-for-test' } } });
  try {
    const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
    const response = await client.images.generate({ model: 'openai/dall-e-3', prompt: 'otter' }).withResponse();
    assert.equal(openai.last().json().model, 'dall-e-3');
    assert.equal(openai.last().headers.authorization, 'Bearer sk-openai-key-for-test');
    assert.equal(response.response.headers.get('x-modapi-provider'), 'openai');
  } finally {
    await gateway.close();
    await openai.close();
  }
});

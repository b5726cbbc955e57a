import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { parseSeenMultipart, startHarness, type Harness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

/** Hand-written: no recording of a video job exists among the fixtures. Shaped as OpenAI's Video. */
const job = (id: string, status: 'queued' | 'in_progress' | 'completed', progress: number) => ({
  id,
  object: 'video',
  created_at: 1_760_000_000,
  completed_at: status === 'completed' ? 1_760_000_090 : null,
  expires_at: null,
  error: null,
  model: 'sora-2',
  progress,
  prompt: 'A calico cat playing a piano on stage',
  remixed_from_video_id: null,
  seconds: '4',
  size: '720x1280',
  status,
});

const VIDEO_BYTES = Buffer.from(Array.from({ length: 200_000 }, (_value, index) => (index * 7 + 3) % 256));

test('videos: create (multipart, as the SDK sends it), poll until done, download the content byte for byte', async () => {
  let polls = 0;
  harness.upstream
    .on('POST /v1/videos', (_request, response) => sendJson(response, 200, job('video_abc123', 'queued', 0)))
    .on('GET /v1/videos/video_abc123', (_request, response) => {
      polls += 1;
      sendJson(response, 200, polls < 2 ? job('video_abc123', 'in_progress', 40) : job('video_abc123', 'completed', 100));
    })
    .on('GET /v1/videos/video_abc123/content', (_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4', 'content-disposition': 'attachment; filename="video_abc123.mp4"' });
      response.write(VIDEO_BYTES.subarray(0, 50_000));
      response.end(VIDEO_BYTES.subarray(50_000));
    });
  const created = await harness.client.videos.create({ model: 'sora-2', prompt: 'A calico cat playing a piano on stage', seconds: '4', size: '720x1280' });
  assert.deepEqual(created, job('video_abc123', 'queued', 0));
  const upload = await parseSeenMultipart(harness.upstream.last());
  assert.deepEqual(upload.fields, { model: 'sora-2', prompt: 'A calico cat playing a piano on stage', seconds: '4', size: '720x1280' });

  let current = await harness.client.videos.retrieve(created.id);
  assert.equal(current.status, 'in_progress');
  current = await harness.client.videos.retrieve(created.id);
  assert.equal(current.status, 'completed');

  const content = await harness.client.videos.downloadContent(created.id);
  assert.equal(content.headers.get('content-type'), 'video/mp4');
  assert.equal(content.headers.get('content-disposition'), 'attachment; filename="video_abc123.mp4"');
  assert.ok(Buffer.from(await content.arrayBuffer()).equals(VIDEO_BYTES));
  for (const request of harness.upstream.requests.slice(-3)) assert.equal(request.headers.authorization, `Bearer ${TEST_KEY}`);
});

test('videos: a thumbnail variant is asked for with its query kept', async () => {
  harness.upstream.on('GET /v1/videos/video_abc123/content', (_request, response) => {
    response.writeHead(200, { 'content-type': 'image/webp' });
    response.end('webp-bytes');
  });
  const thumbnail = await harness.client.videos.downloadContent('video_abc123', { variant: 'thumbnail' });
  assert.equal(thumbnail.headers.get('content-type'), 'image/webp');
  assert.equal(await thumbnail.text(), 'webp-bytes');
  assert.equal(harness.upstream.last().url, '/v1/videos/video_abc123/content?variant=thumbnail');
});

test('videos: create with an input reference image keeps the file', async () => {
  harness.upstream.on('POST /v1/videos', (_request, response) => sendJson(response, 200, job('video_ref1', 'queued', 0)));
  const reference = Buffer.from('reference-image-bytes');
  await harness.client.videos.create({ model: 'sora-2', prompt: 'animate this', input_reference: await toFile(reference, 'ref.png', { type: 'image/png' }) });
  const upload = await parseSeenMultipart(harness.upstream.last());
  assert.equal(upload.files[0]?.field, 'input_reference');
  assert.ok(upload.files[0]?.data.equals(reference));
});

test('videos: a JSON create body works too (curl users send JSON)', async () => {
  harness.upstream.on('POST /v1/videos', (_request, response) => sendJson(response, 200, job('video_json1', 'queued', 0)));
  const created = await harness.client.post('/videos', { body: { model: 'sora-2', prompt: 'a cat', seconds: '8' } });
  assert.equal((created as { id: string }).id, 'video_json1');
  assert.deepEqual(harness.upstream.last().json(), { model: 'sora-2', prompt: 'a cat', seconds: '8' });
});

test('videos: a job created through a prefixed model is polled at the same provider', async () => {
  const openai = await new FakeUpstream()
    .on('POST /v1/videos', (_request, response) => sendJson(response, 200, job('video_openai1', 'queued', 0)))
    .on('GET /v1/videos/video_openai1', (_request, response) => sendJson(response, 200, job('video_openai1', 'completed', 100)))
    .start();
  const gateway = await startTestGateway({ providers: { modapi: { baseUrl: harness.upstream.url(), apiKey: TEST_KEY }, openai: { baseUrl: openai.url(), apiKey: 'sk-openai-key-for-test' } } });
  try {
    const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
    const created = await client.videos.create({ model: 'openai/sora-2', prompt: 'a cat' });
    assert.equal((await parseSeenMultipart(openai.last())).fields.model, 'sora-2');
    const polled = await client.videos.retrieve(created.id);
    assert.equal(polled.status, 'completed');
    assert.equal(openai.requests.length, 2);
  } finally {
    await gateway.close();
    await openai.close();
  }
});

test('videos: an id that is not an id is refused before any upstream call', async () => {
  const before = harness.upstream.requests.length;
  await assert.rejects(harness.client.videos.retrieve('..%2F..%2Fadmin'), (error: any) => error.status === 400 || error.status === 404);
  assert.equal(harness.upstream.requests.length, before);
});

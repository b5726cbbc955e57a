import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { GatewayError } from '../../proxy/errors.js';
import type { Governance } from '../../proxy/governance/governance.js';
import { generateImage, runChat, synthesizeSpeech, transcribeAudio, generateVideo } from '../../proxy/core/index.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { inProcessGateway } from './in-process-gateway.js';

const STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
let upstream: FakeUpstream;
let videoPolls = 0;

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      const model = request.json().model;
      if (model === 'gpt-4o-slow') await sendEvents(response, fixtureEvents(STREAM), 40);
      else if (model === 'gpt-4o-broken') sendJson(response, 401, fixtureJson('openai/error-401-invalid-api-key.gpt-api-free-427.json'));
      else if (model === 'gpt-4o-down') sendJson(response, 503, { error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: null } });
      else await sendEvents(response, fixtureEvents(STREAM));
    })
    .on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json')))
    .on('POST /v1/audio/speech', (_request, response) => {
      response.writeHead(200, { 'content-type': 'audio/mpeg' });
      response.end(Buffer.from([0xff, 0xfb, 0x90, 0x00]));
    })
    .on('POST /v1/audio/transcriptions', (_request, response) => sendJson(response, 200, { text: 'hello there', usage: { type: 'duration', seconds: 3 } }))
    .on('POST /v1/videos', (_request, response) => sendJson(response, 200, { id: 'video_123', status: 'queued', progress: 0, seconds: '4' }))
    .on('GET /v1/videos/video_123', (_request, response) => {
      videoPolls += 1;
      sendJson(response, 200, videoPolls < 2 ? { id: 'video_123', status: 'in_progress', progress: 50 } : { id: 'video_123', status: 'completed', progress: 100 });
    })
    .on('GET /v1/videos/video_123/content', (_request, response) => {
      response.writeHead(200, { 'content-type': 'video/mp4' });
      response.end(Buffer.from('fake-mp4'));
    })
    .start();
});

after(() => upstream.close());

const collect = async (parts: AsyncIterable<ChatPart>): Promise<ChatPart[]> => {
  const seen: ChatPart[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
};

const textOf = (parts: ChatPart[]): string => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');

const setup = () => inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } });

test('runChat streams the upstream answer as parts and writes one ledger record for the chat view', async () => {
  const { gateway, records } = setup();
  const parts = await collect(runChat(gateway, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  assert.match(textOf(parts), /^I'm unable to provide/);
  assert.ok(parts.some((part) => part.type === 'finish' && part.reason === 'stop'));
  const body = upstream.last().json();
  assert.equal(body.stream, true);
  assert.deepEqual(body.stream_options, { include_usage: true });
  assert.equal(upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.equal(records.length, 1);
  const record = records[0]!;
  assert.equal(record.client, 'chat-view');
  assert.equal(record.endpoint, '/v1/chat/completions');
  assert.equal(record.provider, 'modapi');
  assert.equal(record.model, 'gpt-4o');
  assert.equal(record.stream, true);
  assert.equal(record.status, 200);
  assert.equal(record.promptTokens, 14);
  assert.equal(record.completionTokens, 30);
  assert.equal(record.costSource, 'catalog');
  assert.ok(record.costUsd !== null && record.costUsd > 0);
  assert.equal(typeof record.timeToFirstTokenMs, 'number');
  assert.equal(record.errorCode, null);
});

test('an upstream refusal arrives as an error part with its status, and is recorded', async () => {
  const { gateway, records } = setup();
  const parts = await collect(runChat(gateway, { model: 'gpt-4o-broken', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  const error = parts.find((part) => part.type === 'error');
  assert.ok(error && error.type === 'error');
  assert.equal(error.error.status, 401);
  assert.doesNotMatch(error.error.message, new RegExp(TEST_KEY));
  assert.equal(records.length, 1);
  assert.equal(records[0]!.status, 401);
  assert.equal(records[0]!.errorCode, 'invalid_api_key');
});

test('a missing key is an error part before any upstream call, recorded with 401', async () => {
  const { gateway, records } = inProcessGateway({ modapi: { baseUrl: upstream.url() } });
  const before = upstream.requests.length;
  const parts = await collect(runChat(gateway, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  assert.equal(parts.length, 1);
  assert.ok(parts[0]!.type === 'error' && parts[0]!.error.code === 'missing_api_key');
  assert.equal(upstream.requests.length, before);
  assert.equal(records[0]?.status, 401);
});

test('an unknown provider prefix is a model-not-found error part and leaves no record', async () => {
  const { gateway, records } = setup();
  const parts = await collect(runChat(gateway, { model: 'nowhere/model', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  assert.ok(parts[0]!.type === 'error' && parts[0]!.error.code === 'model_not_found');
  assert.equal(records.length, 0);
});

test('stopping mid-stream ends the parts quietly and still records the run', async () => {
  const { gateway, records } = setup();
  const controller = new AbortController();
  const parts: ChatPart[] = [];
  for await (const part of runChat(gateway, { model: 'gpt-4o-slow', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: controller.signal })) {
    parts.push(part);
    if (part.type === 'text-delta' && part.text.length > 0) controller.abort();
  }
  assert.ok(!parts.some((part) => part.type === 'error'));
  assert.ok(!parts.some((part) => part.type === 'finish'));
  assert.equal(records.length, 1);
  // Stopped before the upstream reported usage: the record carries the gateway's estimate of the
  // tokens (issue 4); gpt-4o-slow has no price, so its cost stays unknown.
  assert.ok(records[0]!.completionTokens >= 1);
  assert.equal(records[0]!.costUsd, null);
  assert.equal(records[0]!.errorCode, 'client_closed');
  assert.equal(typeof records[0]!.timeToFirstTokenMs, 'number');
});

test('a request the governance refuses (budget) is an error part, recorded, and never reaches the upstream', async () => {
  const { gateway, records } = setup();
  let asked: string | undefined;
  gateway.governance = {
    admit: (requester: { name: string }) => {
      asked = requester.name;
      throw new GatewayError(429, 'The daily budget is used up.', { type: 'rate_limit_error', code: 'budget_exceeded' });
    },
    allows: () => true,
    recorded: () => undefined,
  } as unknown as Governance;
  const before = upstream.requests.length;
  const parts = await collect(runChat(gateway, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  assert.equal(asked, 'chat-view');
  assert.ok(parts.length === 1 && parts[0]!.type === 'error' && parts[0]!.error.code === 'budget_exceeded');
  assert.equal(upstream.requests.length, before);
  assert.equal(records[0]?.status, 429);
  assert.equal(records[0]?.errorCode, 'budget_exceeded');
});

test('generateImage asks for base64, returns the images and records the image count', async () => {
  const { gateway, records } = setup();
  const recorded = fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json');
  const result = await generateImage(gateway, { model: 'gpt-image-1', prompt: 'an otter' }, { client: 'chat-view', signal: new AbortController().signal });
  assert.equal(result.images.length, recorded.data.length);
  assert.ok(result.images[0]!.b64Json?.startsWith('iVBOR'));
  assert.equal(upstream.last().json().response_format, 'b64_json');
  assert.equal(records[0]!.images, recorded.data.length);
  assert.equal(records[0]!.endpoint, '/v1/images/generations');
  assert.equal(records[0]!.client, 'chat-view');
});

test('synthesizeSpeech returns the audio bytes and records the characters', async () => {
  const { gateway, records } = setup();
  const result = await synthesizeSpeech(gateway, { model: 'tts-1', input: 'hello' }, { client: 'chat-view', signal: new AbortController().signal });
  assert.equal(result.contentType, 'audio/mpeg');
  assert.deepEqual([...result.audio], [0xff, 0xfb, 0x90, 0x00]);
  assert.equal(records[0]!.characters, 5);
  assert.equal(records[0]!.costSource, 'catalog');
});

test('transcribeAudio uploads the file as multipart and records the seconds', async () => {
  const { gateway, records } = setup();
  const result = await transcribeAudio(gateway, { model: 'whisper-1', audio: Buffer.from('RIFF....WAVE'), filename: 'clip.wav', mimeType: 'audio/wav' }, { client: 'chat-view', signal: new AbortController().signal });
  assert.equal(result.text, 'hello there');
  const seen = upstream.last();
  assert.match(String(seen.headers['content-type']), /^multipart\/form-data/);
  assert.match(seen.body.toString('utf8'), /filename="clip.wav"/);
  assert.equal(records[0]!.audioSeconds, 3);
});

test('generateVideo reports progress, downloads the video, and bills only the creation', async () => {
  const { gateway, records } = setup();
  const progress: number[] = [];
  const result = await generateVideo(gateway, { model: 'sora-2', prompt: 'waves', seconds: '4' }, { client: 'chat-view', signal: new AbortController().signal, pollIntervalMs: 1, onProgress: (job) => progress.push(job.progress) });
  assert.equal(result.video.toString(), 'fake-mp4');
  assert.deepEqual(progress, [0, 50, 100]);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.videoSeconds, 4);
  assert.equal(gateway.videoOwners.get('video_123'), 'sora-2');
});

test('a configured fallback answers when the model fails before any output, in one record', async () => {
  const { gateway, records } = setup();
  gateway.fallbacks = { 'gpt-4o-down': ['gpt-4o'] };
  const parts = await collect(runChat(gateway, { model: 'gpt-4o-down', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  const warning = parts.find((part) => part.type === 'warning');
  assert.ok(warning && warning.type === 'warning' && /gpt-4o-down failed \(HTTP 503\); answered by the fallback gpt-4o/.test(warning.message));
  assert.match(textOf(parts), /^I'm unable to provide/);
  assert.ok(!parts.some((part) => part.type === 'error'));
  assert.deepEqual(upstream.requests.slice(-2).map((request) => request.json().model), ['gpt-4o-down', 'gpt-4o']);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.model, 'gpt-4o');
  assert.equal(records[0]!.requestedModel, 'gpt-4o-down');
  assert.equal(records[0]!.status, 200);
});

test('a failure another model would share (401) does not fall back', async () => {
  const { gateway } = setup();
  gateway.fallbacks = { 'gpt-4o-broken': ['gpt-4o'] };
  const before = upstream.requests.length;
  const parts = await collect(runChat(gateway, { model: 'gpt-4o-broken', messages: [{ role: 'user', content: 'hi' }] }, { client: 'chat-view', signal: new AbortController().signal }));
  assert.ok(parts.at(-1)?.type === 'error');
  assert.equal(upstream.requests.length, before + 1);
});

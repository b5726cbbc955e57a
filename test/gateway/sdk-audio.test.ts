import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson, fixtureText } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { parseSeenMultipart, signal, startHarness, type Harness } from './harness.js';

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

/** Bytes that look like nothing in particular, so any corruption shows. */
const noise = (length: number, seed: number): Buffer => Buffer.from(Array.from({ length }, (_value, index) => (index * seed + (index >> 7)) % 256));

test('audio.speech: binary audio comes back byte for byte with the upstream content type, streamed as it is sent', async () => {
  const audio = noise(300_000, 13);
  const halfway = signal();
  harness.upstream.on('POST /v1/audio/speech', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'audio/mpeg', 'transfer-encoding': 'chunked' });
    response.write(audio.subarray(0, 100_000));
    // The rest is sent only once the client has received the first part through the gateway.
    await halfway.promise;
    response.end(audio.subarray(100_000));
  });
  const answer = await harness.client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello there', response_format: 'mp3', instructions: 'cheerful' });
  assert.equal(answer.headers.get('content-type'), 'audio/mpeg');
  assert.equal(answer.headers.get('x-modapi-provider'), 'modapi');
  const reader = answer.body!.getReader();
  const received: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received.push(Buffer.from(value));
    size += value.length;
    if (size >= 100_000) halfway.resolve();
  }
  assert.ok(Buffer.concat(received).equals(audio));
  assert.deepEqual(harness.upstream.last().json(), { model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello there', response_format: 'mp3', instructions: 'cheerful' });
  assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
});

test('audio.speech: other formats keep their content type (wav, pcm)', async () => {
  for (const [format, contentType] of [
    ['wav', 'audio/wav'],
    ['pcm', 'audio/pcm'],
  ] as const) {
    const audio = noise(4_096, 7);
    harness.upstream.on('POST /v1/audio/speech', (_request, response) => {
      response.writeHead(200, { 'content-type': contentType });
      response.end(audio);
    });
    const answer = await harness.client.audio.speech.create({ model: 'tts-1', voice: 'nova', input: 'hi', response_format: format });
    assert.equal(answer.headers.get('content-type'), contentType);
    assert.ok(Buffer.from(await answer.arrayBuffer()).equals(audio));
  }
});

const AUDIO_UPLOAD = noise(50_000, 17);

/** Transcription answers per response_format. json and verbose_json are recordings; text, srt and
 * vtt are hand-written (no recording of them exists among the fixtures). */
const TRANSCRIPTION_ANSWERS = {
  json: { contentType: 'application/json', body: fixtureText('openai/audio-transcriptions-json-usage-tokens.openapi-example.json') },
  verbose_json: { contentType: 'application/json', body: fixtureText('openai/audio-transcriptions-verbose-json-words.vercel.json') },
  text: { contentType: 'text/plain; charset=utf-8', body: 'Galileo was an American robotic space program.\n' },
  srt: { contentType: 'text/plain; charset=utf-8', body: '1\n00:00:00,000 --> 00:00:02,500\nGalileo was an American robotic space program.\n\n' },
  vtt: { contentType: 'text/vtt; charset=utf-8', body: 'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nGalileo was an American robotic space program.\n\n' },
} as const;

for (const kind of ['transcriptions', 'translations'] as const) {
  for (const [format, reply] of Object.entries(TRANSCRIPTION_ANSWERS) as [keyof typeof TRANSCRIPTION_ANSWERS, (typeof TRANSCRIPTION_ANSWERS)[keyof typeof TRANSCRIPTION_ANSWERS]][]) {
    test(`audio.${kind} with response_format ${format}: the upload reaches the upstream whole and the answer comes back as sent`, async () => {
      harness.upstream.on(`POST /v1/audio/${kind}`, (_request, response) => {
        response.writeHead(200, { 'content-type': reply.contentType });
        response.end(reply.body);
      });
      const file = await toFile(AUDIO_UPLOAD, 'speech.mp3', { type: 'audio/mpeg' });
      const answer: unknown =
        kind === 'transcriptions'
          ? await harness.client.audio.transcriptions.create({ model: 'whisper-1', file, response_format: format, language: 'en', temperature: 0 })
          : await harness.client.audio.translations.create({ model: 'whisper-1', file, response_format: format, temperature: 0 });
      if (reply.contentType.startsWith('application/json')) assert.deepEqual(answer, JSON.parse(reply.body));
      else assert.equal(answer, reply.body);
      const upload = await parseSeenMultipart(harness.upstream.last());
      assert.equal(upload.fields.model, 'whisper-1');
      assert.equal(upload.fields.response_format, format);
      if (kind === 'transcriptions') assert.equal(upload.fields.language, 'en');
      assert.equal(upload.files.length, 1);
      assert.equal(upload.files[0]?.field, 'file');
      assert.equal(upload.files[0]?.filename, 'speech.mp3');
      assert.ok(upload.files[0]?.data.equals(AUDIO_UPLOAD));
      assert.equal(harness.upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
    });
  }
}

test('audio.transcriptions streamed: the recorded transcript.text.delta events arrive as sent', async () => {
  const path = 'openai/audio-transcriptions-stream-text-delta.openapi-example.sse';
  harness.upstream.on('POST /v1/audio/transcriptions', (_request, response) => sendEvents(response, fixtureEvents(path)));
  const stream = await harness.client.audio.transcriptions.create({ model: 'gpt-4o-mini-transcribe', file: await toFile(AUDIO_UPLOAD, 'speech.mp3'), stream: true });
  const events: any[] = [];
  for await (const event of stream) events.push(event);
  const recorded = fixtureEvents(path).map((event) => JSON.parse(event.replace(/^data: /, '')));
  assert.deepEqual(events, recorded);
  assert.equal((await parseSeenMultipart(harness.upstream.last())).fields.stream, 'true');
});

test('audio.transcriptions with timestamp_granularities[] keeps repeated fields', async () => {
  harness.upstream.on('POST /v1/audio/transcriptions', (_request, response) => sendJson(response, 200, fixtureJson('openai/audio-transcriptions-verbose-json-words.vercel.json')));
  await harness.client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(AUDIO_UPLOAD, 'a.mp3'), response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
  const body = harness.upstream.last().body.toString('latin1');
  assert.equal(body.match(/name="timestamp_granularities\[\]"/g)?.length, 2);
});

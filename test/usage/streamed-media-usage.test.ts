import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { toFile } from 'openai';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { startHarness, eventually, type Harness } from '../gateway/harness.js';
import { FakeUpstream, sendEvents } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';

// A streamed transcription or image generation carries its usage in its last event, as
// input_tokens/output_tokens: read through the chat-chunk observer it was {0, 0}, the cost unknown
// and the image count 0.
const records: UsageRecord[] = [];
let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream(), { usage: { record: (record) => records.push(record) } });
});

after(() => harness.close());

const nextRecord = async (seen: number): Promise<UsageRecord> => {
  await eventually(() => records.length > seen, 'a ledger record');
  return records[seen]!;
};

test('a streamed transcription records the tokens of its transcript.text.done event, priced', async () => {
  const path = 'openai/audio-transcriptions-stream-text-delta.openapi-example.sse';
  harness.upstream.on('POST /v1/audio/transcriptions', (_request, response) => sendEvents(response, fixtureEvents(path)));
  const seen = records.length;
  const stream = await harness.client.audio.transcriptions.create({ model: 'gpt-4o-mini-transcribe', file: await toFile(Buffer.from('RIFF....WAVE'), 'a.wav'), stream: true });
  for await (const _event of stream) void _event;
  const record = await nextRecord(seen);
  // The recording's usage: 14 in, 45 out. gpt-4o-mini-transcribe: $1.25 in, $5 out per 1M:
  // 14*1.25 + 45*5 = 17.5 + 225 = 242.5 micro-dollars.
  assert.equal(record.promptTokens, 14);
  assert.equal(record.completionTokens, 45);
  assert.equal(record.costUsd, 0.0002425);
  assert.equal(record.costSource, 'catalog');
});

test('a streamed image generation counts its completed image and that event\'s tokens, priced', async () => {
  const path = 'openai/images-generations-stream-partial-image.openapi-example.sse';
  harness.upstream.on('POST /v1/images/generations', (_request, response) => sendEvents(response, fixtureEvents(path)));
  const seen = records.length;
  const stream = await harness.client.images.generate({ model: 'gpt-image-1', prompt: 'otter', stream: true, partial_images: 2 });
  for await (const _event of stream) void _event;
  const record = await nextRecord(seen);
  // One image_generation.completed, 50 in, 50 out. gpt-image-1: $5 in, $40 out per 1M tokens
  // (the image billed through its tokens): 250 + 2000 = 2250 micro-dollars.
  assert.equal(record.images, 1);
  assert.equal(record.promptTokens, 50);
  assert.equal(record.completionTokens, 50);
  assert.equal(record.costUsd, 0.00225);
});

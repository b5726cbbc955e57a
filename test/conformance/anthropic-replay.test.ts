import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_KEY } from '../support/gateway.js';
import { anthropicRecordings, comparable, expectedFromMessage, expectedFromStream } from './anthropic-expected.js';
import { collectCompletion, collectStream, recordingFromFile, startConformanceHarness, type ConformanceHarness } from './support.js';

/** Every recorded Anthropic answer, replayed byte for byte by a fake Anthropic on 127.0.0.1, reaches
 * the official openai client through the gateway as what the recording holds. */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('anthropic');
});

after(async () => {
  await harness.close();
});

const MODEL = 'anthropic/claude-sonnet-4-5';

const streamRecordings = anthropicRecordings('stream-').filter((path) => path.endsWith('.jsonl') || path.endsWith('.sse'));
const messageRecordings = anthropicRecordings('message-');

test('the recordings are all there (a missing file fails here, not silently)', () => {
  assert.equal(streamRecordings.length, 12);
  assert.equal(messageRecordings.length, 6);
});

describe('streamed recordings', () => {
  for (const path of streamRecordings) {
    test(path, async () => {
      harness.serve('POST /v1/messages', recordingFromFile(path));
      const stream = await harness.client.chat.completions.create({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'replay' }],
      });
      const answer = await collectStream(stream);
      assert.deepEqual(comparable(answer), comparable(expectedFromStream(path)));
      const sent = harness.upstream.last();
      assert.equal(sent.json().stream, true);
      assert.equal(sent.headers['x-api-key'], TEST_KEY);
      assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    });
  }
});

describe('non-streamed recordings', () => {
  for (const path of messageRecordings) {
    test(path, async () => {
      harness.serve('POST /v1/messages', recordingFromFile(path));
      const completion = await harness.client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'replay' }] });
      assert.deepEqual(comparable(collectCompletion(completion)), comparable(expectedFromMessage(path)));
      assert.equal(harness.upstream.last().json().stream, false);
    });
  }
});

test('tool calls keep their Anthropic ids and the tool_calls finish reason', async () => {
  harness.serve('POST /v1/messages', recordingFromFile('anthropic/message-tool-use-no-args.vercel.json'));
  const completion = await harness.client.chat.completions.create({ model: 'anthropic/claude-3-opus-20240229', messages: [{ role: 'user', content: 'update' }] });
  const call = completion.choices[0]?.message.tool_calls?.[0];
  assert.equal(call?.id, 'toolu_01LRmxn9vGM1d2DZSDBowdZ1');
  assert.equal(call?.type === 'function' ? call.function.arguments : undefined, '{}');
  assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
});

test('usage with cache reads counts them as prompt tokens and as cached_tokens, streamed', async () => {
  harness.serve('POST /v1/messages', recordingFromFile('anthropic/stream-max-tokens-cache-read-usage.vercel.jsonl'));
  const stream = await harness.client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-6', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
  const answer = await collectStream(stream);
  // 3 uncached + 18639 read from the cache, as the recording's message_delta says.
  assert.equal(answer.usage?.prompt_tokens, 18642);
  assert.equal(answer.usage?.cached_tokens, 18639);
  assert.equal(answer.finishReason, 'length');
});

test('a stream whose client did not ask for usage gets no usage chunk', async () => {
  harness.serve('POST /v1/messages', recordingFromFile('anthropic/stream-text-sonnet-4-5.vercel.jsonl'));
  const stream = await harness.client.chat.completions.create({ model: 'anthropic/claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const answer = await collectStream(stream);
  assert.equal(answer.usage, undefined);
  assert.ok(answer.text.length > 0);
});

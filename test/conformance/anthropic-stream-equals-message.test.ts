import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { anthropicRecordings, comparable } from './anthropic-expected.js';
import { collectCompletion, collectStream, recordingFromFile, startConformanceHarness, type CollectedAnswer, type ConformanceHarness, type Recording } from './support.js';

/** Property: for every recorded stream, the gateway's streamed answer, collected, equals its
 * non-streamed answer to the whole message built from that same stream, usage included. The
 * whole message is built by the official Anthropic SDK (its MessageStream accumulator), not by
 * the adapter, so the two paths are checked against an independent reading of the stream. (The
 * recorded stream/message pairs, such as stream-text-sonnet-4-5 and message-text-sonnet-4-5, are
 * separate runs whose answers differ by a few tokens, so they cannot be compared to each other.) */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('anthropic');
});

after(async () => {
  await harness.close();
});

// A current id: the SDK warns on stderr about deprecated ones.
const MODEL = 'claude-opus-4-5';

/** The raw .sse recordings were saved without the blank line that ends their last event. The
 * gateway's reader (eventsource-parser, flushed at the end) still sees that event; the SDK's does
 * not, so for the SDK alone the blank line is put back. */
const withFinalBlankLine = (recording: Recording): Recording => {
  const last = String(recording.chunks.at(-1) ?? '');
  return /\n\n$/.test(last) ? recording : { ...recording, chunks: [...recording.chunks.slice(0, -1), `${last}\n\n`] };
};

/** The message the Anthropic SDK accumulates from a recorded stream (read from the fake upstream). */
const messageBuiltBySdk = async (path: string): Promise<Anthropic.Message> => {
  harness.serve('POST /v1/messages', withFinalBlankLine(recordingFromFile(path)));
  const anthropic = new Anthropic({ baseURL: harness.upstream.url(''), apiKey: 'fake-key-for-the-fake-upstream', maxRetries: 0 });
  // JSON round trip: tool inputs the SDK keeps lazily become plain values, as a JSON body has them.
  return JSON.parse(JSON.stringify(await anthropic.messages.stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'replay' }] }).finalMessage()));
};

/** A tool call cut by max_tokens mid-JSON streams as the fragment it is, while a whole message
 * holds whatever the SDK's partial-JSON parser made of it; only such arguments are left out. */
const withoutCutArguments = (answer: ReturnType<typeof comparable>, streamed: CollectedAnswer) => ({
  ...answer,
  toolCalls: answer.toolCalls.map((call, index) => (isJson(streamed.toolCalls[index]?.arguments) ? call : { name: call.name, arguments: 'cut by max_tokens' })),
});

const isJson = (text: string | undefined): boolean => {
  try {
    JSON.parse(text ?? '');
    return true;
  } catch {
    return false;
  }
};

const streamRecordings = anthropicRecordings('stream-').filter((path) => path.endsWith('.jsonl') || path.endsWith('.sse'));

describe('a stream collected equals the message built from it', () => {
  for (const path of streamRecordings) {
    test(path, async () => {
      const message = await messageBuiltBySdk(path);

      harness.serve('POST /v1/messages', recordingFromFile(path));
      const streamed = await collectStream(
        await harness.client.chat.completions.create({ model: `anthropic/${MODEL}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'replay' }] }),
      );

      harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(message)] });
      const whole = collectCompletion(await harness.client.chat.completions.create({ model: `anthropic/${MODEL}`, messages: [{ role: 'user', content: 'replay' }] }));

      assert.ok(streamed.usage, 'the streamed answer carries usage');
      assert.deepEqual(withoutCutArguments(comparable(streamed), streamed), withoutCutArguments(comparable(whole), streamed));
    });
  }
});

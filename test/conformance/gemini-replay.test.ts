import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { comparable, expectedAnswer, geminiCases, mergeChunks, type GeminiCase } from './gemini-expected.js';
import { collectCompletion, collectStream, startConformanceHarness, type ConformanceHarness, type Recording } from './support.js';

/** Every Gemini recording, served byte for byte by a fake Gemini on 127.0.0.1, reaches the official
 * openai client through the gateway as what the recording holds; and a streamed answer, collected,
 * equals the same answer served whole. */

let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('gemini');
});

after(async () => {
  await harness.close();
});

const cases = geminiCases();
let served = 0;

/** A model of its own per replay, so that routes never collide. */
const serveAs = (method: 'generateContent' | 'streamGenerateContent', recording: Recording): string => {
  served += 1;
  const model = `gemini-replay-${served}`;
  harness.serve(`POST /v1beta/models/${model}:${method}`, recording);
  return model;
};

const wholeRecording = (body: unknown): Recording => ({ status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, chunks: [JSON.stringify(body)] });
const streamRecording = (chunks: unknown[]): Recording => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`) });

const askStreamed = async (model: string) =>
  collectStream(
    await harness.client.chat.completions.create({ model: `gemini/${model}`, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'replay' }] }),
  );

const askWhole = async (model: string) => collectCompletion(await harness.client.chat.completions.create({ model: `gemini/${model}`, messages: [{ role: 'user', content: 'replay' }] }));

test('every recording is placed (none is skipped)', () => {
  const kinds = new Map<string, number>();
  for (const replay of cases) kinds.set(replay.kind, (kinds.get(replay.kind) ?? 0) + 1);
  // 31 files (two hand-written for the Gemini CLI test); the js-genai ones hold two interactions
  // each for the function-calling turns.
  assert.equal(cases.length, 34);
  assert.deepEqual(Object.fromEntries(kinds), { stream: 15, whole: 14, error: 5 });
});

const byKind = (kind: GeminiCase['kind']) => cases.filter((replay) => replay.kind === kind);

describe('streamed recordings', () => {
  for (const replay of byKind('stream')) {
    test(replay.name, async () => {
      const model = serveAs('streamGenerateContent', replay.recording);
      const streamed = await askStreamed(model);
      assert.deepEqual(comparable(streamed), expectedAnswer(replay.chunks));
      const sent = harness.upstream.last();
      assert.equal(sent.url, `/v1beta/models/${model}:streamGenerateContent?alt=sse`);
      assert.equal(sent.headers['x-goog-api-key'], TEST_KEY);
      assert.ok(!JSON.stringify(sent.headers).includes(TEST_TOKEN), 'the local token never goes upstream');
      // Property: the same chunks served as one generateContent body give the same answer.
      const whole = await askWhole(serveAs('generateContent', wholeRecording(mergeChunks(replay.chunks))));
      assert.deepEqual(whole, streamed);
    });
  }
});

describe('whole recordings', () => {
  for (const replay of byKind('whole')) {
    test(replay.name, async () => {
      const model = serveAs('generateContent', replay.recording);
      const whole = await askWhole(model);
      assert.deepEqual(comparable(whole), expectedAnswer(replay.chunks));
      assert.equal(harness.upstream.last().url, `/v1beta/models/${model}:generateContent`);
      // Property: the same body served as a one-event stream gives the same answer.
      const streamed = await askStreamed(serveAs('streamGenerateContent', streamRecording(replay.chunks)));
      assert.deepEqual(streamed, whole);
    });
  }
});

test('tool-call ids are made up alike streamed and not, and differ across parallel calls', async () => {
  const replay = cases.find((candidate) => candidate.name.includes('three-parallel-function-calls'));
  assert.ok(replay);
  const whole = await harness.client.chat.completions.create({ model: `gemini/${serveAs('generateContent', replay.recording)}`, messages: [{ role: 'user', content: 'replay' }] });
  const wholeIds = (whole.choices[0]?.message.tool_calls ?? []).map((call) => call.id);
  const stream = await harness.client.chat.completions.create({
    model: `gemini/${serveAs('streamGenerateContent', streamRecording(replay.chunks))}`,
    stream: true,
    messages: [{ role: 'user', content: 'replay' }],
  });
  const streamedIds: string[] = [];
  for await (const chunk of stream) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.id) streamedIds[call.index] = call.id;
  const recordedCalls = replay.chunks[0].candidates[0].content.parts.filter((part: any) => part.functionCall);
  assert.equal(wholeIds.length, recordedCalls.length);
  assert.equal(new Set(wholeIds).size, wholeIds.length);
  assert.deepEqual(streamedIds, wholeIds);
  for (const id of wholeIds) assert.match(id, /^call_[A-Za-z0-9_-]+$/);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { fixtureEvents } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { expectedFromStream, recordedEvents } from './anthropic-expected.js';
import { collectStream, recordingFromFile, startConformanceHarness, type ConformanceHarness } from './support.js';

/** What the ledger records for Anthropic answers: OpenAI-meaning token counts, the same for a stream
 * and for the whole message built from it, and the usage known so far when a stream is cut. */

const records: UsageRecord[] = [];
let harness: ConformanceHarness;

before(async () => {
  harness = await startConformanceHarness('anthropic', { gateway: { usage: { record: (record) => records.push(record) } } });
});

after(async () => {
  await harness.close();
});

const MODEL = 'anthropic/claude-sonnet-4-5';
const ask = { model: MODEL, messages: [{ role: 'user' as const, content: 'replay' }] };

/** The ledger writes a record once the response has closed; wait for the next one. */
const nextRecord = async (): Promise<UsageRecord> => {
  const seen = records.length;
  for (let attempt = 0; attempt < 200 && records.length === seen; attempt++) await new Promise((resolve) => setTimeout(resolve, 5));
  const record = records[seen];
  assert.ok(record, 'the ledger got a record');
  return record;
};

const tokens = (record: UsageRecord) => ({
  promptTokens: record.promptTokens,
  completionTokens: record.completionTokens,
  cachedTokens: record.cachedTokens,
  cacheCreationTokens: record.cacheCreationTokens,
  reasoningTokens: record.reasoningTokens,
});

test('a stream with cache reads and writes, and the same message whole, account the same', async () => {
  const path = 'anthropic/stream-server-tool-use-cache-creation-usage.vercel.jsonl';
  const finalUsage = recordedEvents(path).find((event) => event.type === 'message_delta').usage;

  harness.serve('POST /v1/messages', recordingFromFile(path));
  const pendingStreamed = nextRecord();
  const answer = await collectStream(await harness.client.chat.completions.create({ ...ask, stream: true }));
  const streamed = await pendingStreamed;
  assert.equal(answer.text, expectedFromStream(path).text);
  assert.equal(streamed.provider, 'anthropic');
  assert.equal(streamed.stream, true);
  assert.deepEqual(tokens(streamed), {
    promptTokens: finalUsage.input_tokens + finalUsage.cache_read_input_tokens + finalUsage.cache_creation_input_tokens,
    completionTokens: finalUsage.output_tokens,
    cachedTokens: finalUsage.cache_read_input_tokens,
    cacheCreationTokens: finalUsage.cache_creation_input_tokens,
    reasoningTokens: finalUsage.output_tokens_details?.thinking_tokens ?? 0,
  });

  // The whole message this stream adds up to, with the usage the stream ended on.
  const start = recordedEvents(path).find((event) => event.type === 'message_start').message;
  const whole = { ...start, content: [{ type: 'text', text: answer.text }], stop_reason: 'end_turn', usage: finalUsage };
  harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'application/json' }, chunks: [JSON.stringify(whole)] });
  const pendingWhole = nextRecord();
  await harness.client.chat.completions.create(ask);
  const wholeRecord = await pendingWhole;
  assert.equal(wholeRecord.stream, false);
  assert.deepEqual(tokens(wholeRecord), tokens(streamed));
});

test('a stream the upstream cuts before message_stop still records the usage it reported', async () => {
  const path = 'anthropic/stream-text-sonnet-4-5.vercel.jsonl';
  const startUsage = recordedEvents(path)[0].message.usage;
  harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: fixtureEvents(path).slice(0, 6) });
  const pending = nextRecord();
  await assert.rejects(async () => collectStream(await harness.client.chat.completions.create({ ...ask, stream: true })));
  const record = await pending;
  assert.equal(record.promptTokens, startUsage.input_tokens);
  assert.ok(record.errorCode, 'the record says the request failed');
  // message_start's output_tokens (1) is a placeholder: the text that reached the client counts, as
  // an estimate (once billed as 1 token, at a cost labelled exact).
  const deltas = fixtureEvents(path).slice(0, 6).filter((event) => event.includes('content_block_delta')).length;
  assert.ok(deltas > 1);
  assert.ok(record.completionTokens >= deltas, `${record.completionTokens} completion tokens for ${deltas} text deltas`);
  assert.equal(record.costSource, 'estimate');
});

test('the Anthropic relay lane: a stream cut before message_delta counts its output as an estimate, not the 1 token of message_start', async () => {
  const path = 'anthropic/stream-text-sonnet-4-5.vercel.jsonl';
  const events = fixtureEvents(path);
  const cut = events.filter((event) => !event.includes('message_delta') && !event.includes('message_stop'));
  const deltas = cut.filter((event) => event.includes('content_block_delta')).length;
  // One event a chunk, as the upstream sent them.
  harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: cut });
  const pending = nextRecord();
  const response = await fetch(`${harness.gateway.url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_TOKEN, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: MODEL, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'replay' }] }) });
  await response.text();
  const record = await pending;
  assert.ok(record.completionTokens >= deltas, `${record.completionTokens} completion tokens for ${deltas} text deltas`);
  assert.equal(record.costSource, 'estimate');
  // A whole stream keeps its exact count.
  harness.serve('POST /v1/messages', { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: events });
  const pendingWhole = nextRecord();
  await (await fetch(`${harness.gateway.url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_TOKEN, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: MODEL, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'replay' }] }) })).text();
  const whole = await pendingWhole;
  assert.equal(whole.completionTokens, recordedEvents(path).find((event) => event.type === 'message_delta').usage.output_tokens);
  assert.equal(whole.costSource, 'catalog');
});

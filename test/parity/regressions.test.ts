import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_TOKEN } from '../support/gateway.js';
import { assertSameAsRecording } from './compare.js';
import { clientModel, startParityHarness, type ParityHarness } from './harness.js';
import { KNOWN_DRIFT, type RegressionDrift } from './known-drift.js';
import { LANES, laneNamed, post, type Lane } from './lanes.js';
import type { ReportedUsage } from './neutral-view.js';
import { parseSse } from './oracle/sse.js';
import { loadRecordings, recordingNamed, toRecording, type Mode, type ParityRecording, type UpstreamDialect } from './recordings.js';

/** Issue 12's known drift, cases 1 to 4, each through the public surfaces every lane uses (HTTP to
 * the gateway, the in-process chat entry). A case that fails on today's gateway is listed in
 * KNOWN_DRIFT (known-drift.ts) and expected to fail; once it passes, its test fails until the
 * entry is removed. */

const recordings = loadRecordings();
const THINKING = recordingNamed(recordings, 'anthropic/message-thinking-opus-5-effort-high.vercel.json');
const ANTHROPIC_STREAM = recordingNamed(recordings, 'anthropic/stream-text-sonnet-4-5.vercel.jsonl');
const OPENAI_WHOLE = recordingNamed(recordings, 'openai/chat-completion-text-gpt-4-1-nano.vercel.json');
const OPENAI_STREAM = recordingNamed(recordings, 'openai-compatible/deepseek-chat-stream-reasoner-tool-call.vercel.jsonl');
const GEMINI_STREAM = recordingNamed(recordings, 'gemini/stream-text-thoughts-token-count.vercel.jsonl');

/** OpenRouter's way of failing: status 200, the error in the body with the real status as its
 * code (written after OpenRouter's documented error shape; no recording of one exists yet). */
const ERROR_UNDER_200 = toRecording(
  {
    name: 'an OpenRouter-style failure under status 200',
    kind: 'whole',
    status: 200,
    headers: { 'content-type': 'application/json' },
    chunks: [JSON.stringify({ error: { code: 429, message: 'Rate limit exceeded: free-models-per-day.', metadata: { provider_name: null } } })],
  },
  'openai',
  'regression-error-under-200',
);

const registered = new Set<string>();

const regressionDrift = (name: string): RegressionDrift | undefined => KNOWN_DRIFT.find((entry): entry is RegressionDrift => 'regression' in entry && entry.regression === name);

/** A regression test; one listed in KNOWN_DRIFT must fail with an assertion, and fails if it passes. */
const regression = (name: string, body: () => Promise<void>): void => {
  registered.add(name);
  test(name, async () => {
    const drift = regressionDrift(name);
    if (!drift) return body();
    await assert.rejects(body, assert.AssertionError, `listed in KNOWN_DRIFT (${drift.reason}) but passes now: remove the entry`);
  });
};

/** The first mode a lane can ask a recording in (whole where it can, else streamed). */
const firstMode = (lane: Lane, recording: ParityRecording): Mode => {
  const mode = (['whole', 'streamed'] as const).find((candidate) => lane.canServe(recording, candidate));
  if (!mode) throw new Error(`${lane.name} cannot serve ${recording.name}`);
  return mode;
};

const lanesOver = (dialect: UpstreamDialect): Lane[] => LANES.filter((lane) => lane.upstreamDialect === dialect);

describe('case 1: ANTHROPIC_BASE_URL given with a trailing /v1', () => {
  let harness: ParityHarness;
  before(async () => {
    harness = await startParityHarness([ANTHROPIC_STREAM], { anthropic: '/v1' });
  });
  after(() => harness.close());

  for (const lane of lanesOver('anthropic')) {
    regression(`case 1 | ${lane.name}: the upstream is called at /v1/messages, not /v1/v1/messages`, async () => {
      const view = await lane.run(ANTHROPIC_STREAM, 'streamed', harness);
      assert.equal(harness.upstreams.get('anthropic').last().url.split('?')[0], '/v1/messages');
      assertSameAsRecording(view, ANTHROPIC_STREAM, lane);
    });
  }
});

describe('the other cases, against one gateway', () => {
  let harness: ParityHarness;
  before(async () => {
    harness = await startParityHarness([...recordings, ERROR_UNDER_200]);
  });
  after(() => harness.close());

  for (const lane of lanesOver('anthropic')) {
    regression(`case 2 | ${lane.name}: an Anthropic answer's thinking tokens reach the ledger as reasoning tokens`, async () => {
      const thinking = (THINKING.answer.usage as ReportedUsage).reasoningTokens;
      assert.ok(thinking > 0, 'the recording reports thinking tokens');
      const view = await lane.run(THINKING, firstMode(lane, THINKING), harness);
      assert.equal(view.ledger.reasoningTokens, thinking);
    });
  }

  for (const lane of lanesOver('openai')) {
    for (const mode of (['whole', 'streamed'] as const).filter((candidate) => lane.canServe(ERROR_UNDER_200, candidate))) {
      regression(`case 3 | ${lane.name} | ${mode}: an error answered under status 200 is the error it names, in the answer and the ledger`, async () => {
        assertSameAsRecording(await lane.run(ERROR_UNDER_200, mode, harness), ERROR_UNDER_200, lane);
      });
    }
  }

  regression('case 3 | in-process/openai: a whole JSON answer to a stream request is the answer, in the parts and the ledger', async () => {
    const lane = laneNamed('in-process/openai');
    assertSameAsRecording(await lane.run(OPENAI_WHOLE, 'streamed', harness), OPENAI_WHOLE, lane);
  });

  /** The events of a streamed /v1/messages answer, parsed. */
  const messagesEvents = async (model: string): Promise<any[]> => {
    const headers = { 'x-api-key': TEST_TOKEN, 'anthropic-version': '2023-06-01' };
    const body = { model, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'What is the weather in San Francisco?' }] };
    const { answer } = await post(`${harness.gateway.url}/messages`, headers, body);
    return parseSse(answer.body).map((event) => JSON.parse(event.data));
  };

  for (const recording of [OPENAI_STREAM, GEMINI_STREAM]) {
    const lane = `anthropic-messages/${recording.dialect}`;
    const usage = recording.answer.usage as ReportedUsage;

    regression(`case 4 | ${lane}: message_start carries an input-token count (an estimate until the upstream says)`, async () => {
      const start = (await messagesEvents(clientModel(recording, false))).find((event) => event.type === 'message_start');
      assert.ok(start, 'the stream has a message_start');
      assert.ok(start.message.usage.input_tokens > 0, `message_start.usage.input_tokens is ${start.message.usage.input_tokens}`);
    });

    regression(`case 4 | ${lane}: the final message_delta carries the exact input, cache and output counts`, async () => {
      const delta = (await messagesEvents(clientModel(recording, false))).filter((event) => event.type === 'message_delta').at(-1);
      assert.ok(delta, 'the stream has a message_delta');
      assert.equal(delta.usage.input_tokens, usage.promptTokens - usage.cachedTokens - usage.cacheCreationTokens);
      assert.equal(delta.usage.cache_read_input_tokens, usage.cachedTokens);
      assert.equal(delta.usage.output_tokens, usage.completionTokens);
    });
  }
});

test('every regression listed in KNOWN_DRIFT is a regression here', () => {
  const listed = KNOWN_DRIFT.filter((entry): entry is RegressionDrift => 'regression' in entry).map((entry) => entry.regression);
  assert.deepEqual(
    listed.filter((name) => !registered.has(name)),
    [],
  );
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendEvents } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureText } from '../support/fixtures.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { startHarness, type Harness } from './harness.js';

/** The gateway's Responses stream against OpenAI's own, recorded (test/fixtures/openai-responses,
 * from vercel/ai's fixtures): the same event types in the same order, and every field a recorded
 * event has (its `item` and `part` too) present in the gateway's. Streams of the same kind of
 * answer are compared: text, a function call, reasoning followed by a function call. */

let harness: Harness;

before(async () => {
  harness = await startHarness(new FakeUpstream());
});

after(() => harness.close());

type Event = Record<string, any>;

/** A recording's events; a file of several responses is cut at each response.created. */
const recordedTurns = (path: string): Event[][] => {
  const turns: Event[][] = [];
  for (const line of fixtureText(path).split('\n').filter((text) => text.trim())) {
    const event = JSON.parse(line) as Event;
    if (event.type === 'response.created' || turns.length === 0) turns.push([]);
    turns.at(-1)!.push(event);
  }
  return turns;
};

/** The gateway's stream for a chat recording served by the upstream. */
const gatewayEvents = async (chatRecording: string, extra: Record<string, unknown> = {}): Promise<Event[]> => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents(chatRecording)));
  const answer = await fetch(`${harness.gateway.url}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', input: 'replay', stream: true, ...extra }),
  });
  const text = await answer.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = JSON.parse(lines.find((line) => line.startsWith('data: '))!.slice(6)) as Event;
      assert.equal(lines[0], `event: ${event.type}`, 'each event names its type on an event: line');
      return event;
    });
};

/** Event types in order, a run of the same type (deltas) counted once. */
const typeRuns = (events: Event[]): string[] => events.map((event) => event.type).filter((type, index, types) => type !== types[index - 1]);

/** Fields OpenAI adds that a client does not read: `obfuscation` pads deltas against length analysis. */
const IGNORED = new Set(['obfuscation']);

/** The gateway seals reasoning once it is complete, so its `encrypted_content` comes with
 * output_item.done only; OpenAI's value at output_item.added is replaced at done (recorded). */
const ignoredInItem = (type: string, key: string): boolean => type === 'response.output_item.added' && key === 'encrypted_content';

/** Where the gateway's event lacks a field the recorded event of the same type has. */
const missingFields = (recorded: Event[], ours: Event[]): string[] => {
  const missing: string[] = [];
  for (const mine of ours) {
    const theirs = recorded.find((event) => event.type === mine.type && (event.item?.type ?? '') === (mine.item?.type ?? ''));
    if (!theirs) continue;
    for (const key of Object.keys(theirs)) if (!IGNORED.has(key) && !(key in mine)) missing.push(`${mine.type}.${key}`);
    for (const nested of ['item', 'part'] as const) {
      for (const key of Object.keys(theirs[nested] ?? {})) if (!(key in (mine[nested] ?? {})) && !ignoredInItem(mine.type, key)) missing.push(`${mine.type}.${nested}.${key}`);
    }
  }
  return [...new Set(missing)];
};

/** The gateway writes no field of the response object that none of OpenAI's recorded ones has
 * (fields come and go between API versions: `completed_at` is in the newer recordings only). */
const inventedResponseFields = (ours: Event[]): string[] => {
  const known = new Set(cases.flatMap(({ responses }) => recordedTurns(responses).flatMap((turn) => turn.filter((event) => event.type === 'response.completed').flatMap((event) => Object.keys(event.response)))));
  const mine = ours.find((event) => event.type === 'response.completed')!.response;
  return Object.keys(mine).filter((key) => !known.has(key));
};

const cases = [
  { name: 'text', chat: 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse', responses: 'openai-responses/stream-text-usage-gpt-4o-mini.vercel.jsonl', turn: 0 },
  { name: 'a function call', chat: 'openai/chat-stream-tool-call-strict-single.openai-python.sse', responses: 'openai-responses/stream-function-call-arguments-deltas-gpt-5-1.vercel.jsonl', turn: 0 },
  {
    name: 'reasoning, then a function call',
    chat: 'openai-compatible/xai-chat-stream-reasoning-content-tool-call-usage.vercel.jsonl',
    responses: 'openai-responses/stream-reasoning-encrypted-summary-function-calls-4-turns-gpt-5-1-codex-max.vercel.jsonl',
    turn: 0,
    // The recording was made with store off and the encrypted reasoning asked for, as Codex does.
    request: { store: false, include: ['reasoning.encrypted_content'] },
  },
];

for (const { name, chat, responses, turn, request } of cases as { name: string; chat: string; responses: string; turn: number; request?: Record<string, unknown> }[]) {
  test(`${name}: the recorded event order and fields`, async () => {
    const recorded = recordedTurns(responses)[turn]!;
    const ours = await gatewayEvents(chat, request);
    assert.deepEqual(typeRuns(ours), typeRuns(recorded));
    assert.deepEqual(missingFields(recorded, ours), []);
    assert.deepEqual(inventedResponseFields(ours), []);
    assert.deepEqual(
      ours.map((event) => event.sequence_number),
      ours.map((_event, index) => index),
    );
  });
}

test('a stream broken midway: the recorded error event fields, then response.failed', async () => {
  const recorded = recordedTurns('openai-responses/stream-error-event-then-response-failed-insufficient-quota.vercel.jsonl')[0]!;
  const events = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
  harness.upstream.on('POST /v1/chat/completions', async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    // Some text first: broken before any, the client gets the failure's status instead (http-sink.ts).
    response.write(events[0]! + events[1]!);
    await new Promise((resolve) => setTimeout(resolve, 20));
    response.destroy();
  });
  const answer = await fetch(`${harness.gateway.url}/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', input: 'replay', stream: true }),
  });
  const ours = (await answer.text())
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => JSON.parse(block.split('data: ')[1]!) as Event);
  assert.deepEqual(typeRuns(ours).slice(-2), ['error', 'response.failed']);
  assert.deepEqual(missingFields(recorded, ours), []);
  const failed = ours.at(-1)!.response;
  assert.equal(failed.status, 'failed');
  assert.deepEqual(Object.keys(failed.error).sort(), Object.keys(recorded.at(-1)!.response.error).sort());
});

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ModelAllowance } from '../../extension/allowed-models.js';
import { ChatSession } from '../../extension/chat/chat-session.js';
import { ConversationStore } from '../../extension/chat/conversation-store.js';
import type { AssistantTurn, HostMessage, ModelOption } from '../../extension/chat/protocol.js';
import { silentLogger } from '../../proxy/logger.js';
import { qualityByModel } from '../../proxy/usage/model-quality.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { FakeUpstream, sendEvents } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { inProcessGateway } from './in-process-gateway.js';

/** The chat session's ratings, written beside a real ledger: thumbs (set, changed, taken back),
 * Compare's choice as wins and losses (changed), Regenerate as a soft negative; and the folder
 * `modapi.workspace.allowedModels` narrows. The ledger's files never hold the prompt or answer. */
const PLANTED = 'planted-prompt-3c9e1f7a-never-in-the-ledger';
const MODELS: ModelOption[] = [
  { id: 'gpt-4o', name: 'GPT-4o', provider: 'modapi', modalities: ['text'] },
  { id: 'claude-sonnet-4-5', name: 'Claude', provider: 'modapi', modalities: ['text'] },
];

let upstream: FakeUpstream;
let directory: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'modapi-chat-ratings-'));
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', (_request, response) => sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse'))).start();
});

after(async () => {
  await upstream.close();
  await rm(directory, { recursive: true, force: true });
});

const setup = (name: string, allowance = new ModelAllowance([])) => {
  const ledgerDir = join(directory, name, 'usage');
  const ledger = new UsageLedger({ dir: ledgerDir });
  const { gateway } = inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } });
  gateway.usage = ledger;
  const posted: HostMessage[] = [];
  const store = new ConversationStore(join(directory, name, 'chat'));
  const session = new ChatSession(store, {
    post: (message) => posted.push(message),
    gatewayContext: async () => gateway,
    models: async () => MODELS,
    withMedia: async (value) => value,
    log: silentLogger,
    refusal: (model) => allowance.refusal(model),
    ratings: () => ledger.ratings,
  }, 'gpt-4o');
  return { session, ledger, ledgerDir, posted };
};

const answersOf = (session: ChatSession): AssistantTurn[] => session.conversation.turns.flatMap((turn) => (turn.role === 'assistant' ? [turn] : turn.role === 'compare' ? turn.answers : []));

test('thumbs up, changed to down, taken back: one record linked to the answer\'s request id', async () => {
  const { session, ledger } = setup('thumbs');
  await session.send(PLANTED, [], 'gpt-4o');
  const answer = answersOf(session)[0]!;
  const requestId = ledger.recent(1)[0]!.requestId;
  assert.equal(answer.metrics?.requestId, requestId);
  await session.rate(answer.id, 'up');
  assert.equal(answer.rating, 'up');
  assert.deepEqual((await ledger.ratings.list()).map(({ requestId: id, kind, model, provider, client, slot }) => ({ id, kind, model, provider, client, slot })), [{ id: requestId, kind: 'up', model: ledger.recent(1)[0]!.model, provider: 'modapi', client: 'chat-view', slot: 'thumb' }]);
  await session.rate(answer.id, 'down');
  assert.deepEqual((await ledger.ratings.list()).map((rating) => rating.kind), ['down']);
  await session.rate(answer.id, null);
  assert.equal(answer.rating, undefined);
  assert.deepEqual(await ledger.ratings.list(), []);
});

test('Compare: the chosen answer wins over each other one, a changed choice replaces it; Regenerate is a soft negative', async () => {
  const { session, ledger, ledgerDir } = setup('compare');
  await session.compare(PLANTED, [], ['gpt-4o', 'claude-sonnet-4-5']);
  const turn = session.conversation.turns[1]!;
  assert.equal(turn.role, 'compare');
  if (turn.role !== 'compare') return;
  const [first, second] = turn.answers;
  await session.choose(turn.id, second!.id);
  const kinds = async () => (await ledger.ratings.list()).map((rating) => `${rating.requestId === first!.metrics!.requestId ? 'first' : 'second'}:${rating.kind}`).sort();
  assert.deepEqual(await kinds(), ['first:loss', 'second:win']);
  await session.choose(turn.id, first!.id);
  assert.deepEqual(await kinds(), ['first:win', 'second:loss']);
  await session.regenerate(second!.id);
  assert.deepEqual(await kinds(), ['first:win', 'second:loss', 'second:regenerate']);
  const quality = qualityByModel(await ledger.ratings.list(), 1);
  const figures = (answer: AssistantTurn) => {
    const entry = quality.get(answer.metrics!.servedModel!)!;
    return { wins: entry.wins, losses: entry.losses, regenerations: entry.regenerations, winRate: entry.winRate };
  };
  assert.deepEqual(figures(first!), { wins: 1, losses: 0, regenerations: 0, winRate: 1 });
  assert.deepEqual(figures(second!), { wins: 0, losses: 1, regenerations: 1, winRate: 0 });
  ledger.close();
  // Every file the ledger folder holds (usage lines, rollups, ratings) is free of the prompt and the answer.
  const answerText = first!.text;
  assert.ok(answerText.length > 10);
  for (const name of await readdir(ledgerDir, { recursive: true })) {
    const text = await readFile(join(ledgerDir, name), 'utf8').catch(() => '');
    assert.ok(!text.includes(PLANTED), `${name} holds no prompt`);
    assert.ok(!text.includes(answerText), `${name} holds no answer`);
  }
});

test('a model outside modapi.workspace.allowedModels is refused with the setting and the folder named; nothing is sent', async () => {
  const allowance = new ModelAllowance([{ where: 'the folder "repo" (.vscode/settings.json)', patterns: ['claude-*'] }]);
  const { session, posted } = setup('allowed', allowance);
  const before = upstream.requests.length;
  await session.send('hello', [], 'gpt-4o');
  await session.compare('hello', [], ['claude-sonnet-4-5', 'gpt-4o']);
  assert.equal(upstream.requests.length, before, 'nothing reached the upstream');
  assert.equal(session.conversation.turns.length, 0);
  const notices = posted.filter((message) => message.type === 'notice').map((message) => (message.type === 'notice' ? message.message : ''));
  assert.equal(notices.length, 2);
  for (const notice of notices) assert.equal(notice, 'The model gpt-4o is not allowed here: "modapi.workspace.allowedModels" in the folder "repo" (.vscode/settings.json) allows only claude-*.');
  await session.send('hello', [], 'claude-sonnet-4-5');
  assert.equal(upstream.requests.length, before + 1);
});

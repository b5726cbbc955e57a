import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { GROUP_DIMENSIONS, UsageRollups, type UsageQuery } from '../../proxy/usage/usage-rollups.js';
import { presentTotals } from '../../proxy/usage/usage-totals.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import { generatedRecords, writeLedgerFiles } from './generate-records.js';
import { tempFolder } from './support.js';

const CLIENTS = [undefined, 'default', 'aider', 'claude-code', 'continue', 'chat-view', 'nobody'];

/** Every query the API and the panel can ask, each client's own included, rounded as shown. */
const everyAnswer = (query: (question: UsageQuery) => ReturnType<UsageRollups['query']>) =>
  CLIENTS.flatMap((client) =>
    [undefined, ...GROUP_DIMENSIONS].map((groupBy) => {
      const summary = query({ client, groupBy });
      return { client, groupBy, totals: presentTotals(summary.totals), groups: summary.groups.map((group) => ({ key: group.key, totals: presentTotals(group.totals) })) };
    }),
  );

test('rollups rebuilt in steps equal the record-by-record result, and the event loop turns meanwhile', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-08-20T00:00:00Z'), 75, 400)];
  writeLedgerFiles(dir, records);
  const expected = new UsageRollups();
  for (const record of records) expected.add(record);

  let turns = 0;
  const probe = setInterval(() => (turns += 1), 1);
  const ledger = new UsageLedger({ dir });
  assert.equal(ledger.loading, true, 'the constructor returns before reading');
  const progress: number[] = [];
  ledger.on('load-progress', (state: { monthsRead: number }) => progress.push(state.monthsRead));
  const stats = await ledger.loaded;
  clearInterval(probe);
  assert.equal(ledger.loading, false);
  assert.equal(stats.recordsParsed, records.length);
  assert.deepEqual(progress, [1, 2, 3, 4, 4], 'one step per month, then done');
  assert.ok(turns >= 3, `timers ran ${turns} times during the rebuild`);

  assert.deepEqual(everyAnswer((question) => ledger.summary(question)), everyAnswer((question) => expected.query(question)));
  for (const month of ['2026-08', '2026-09', '2026-10', '2026-11']) assert.deepEqual(ledger.rollups.daysOfMonth(month), expected.daysOfMonth(month), month);
  assert.deepEqual(ledger.recent(5), records.slice(-5).reverse());
  ledger.close();

  const reopened = await UsageLedger.open({ dir });
  assert.equal(reopened.loadStats.monthsFromSnapshots, 4, 'closed in good order: every month from its saved rollups');
  assert.deepEqual(everyAnswer((question) => reopened.summary(question)), everyAnswer((question) => expected.query(question)));
  reopened.close();
});

test('records written while the rollups are rebuilt count once; a close half-way saves nothing partial', async () => {
  const dir = tempFolder();
  const records = [...generatedRecords(new Date('2026-09-20T00:00:00Z'), 40, 500)];
  writeLedgerFiles(dir, records);
  const ledger = new UsageLedger({ dir });
  const late = [...generatedRecords(new Date('2026-10-29T12:00:00Z'), 1, 30, 99)].map((record, index) => ({ ...record, requestId: `req_late_${index}` }));
  for (const record of late) ledger.record(record);
  await ledger.loaded;
  assert.equal(ledger.summary({}).totals.requests, records.length + late.length);
  assert.deepEqual(ledger.recent(2).map((record) => record.requestId), ['req_late_29', 'req_late_28'], 'live records stay the newest');
  ledger.close();

  for (const name of readdirSync(dir)) if (name.endsWith('.rollup.json')) rmSync(join(dir, name));
  const interrupted = new UsageLedger({ dir });
  interrupted.once('load-progress', () => interrupted.close());
  const partial = await interrupted.loaded;
  assert.equal(interrupted.loadProgress.monthsRead, 1, 'closed after the newest month');
  assert.ok(partial.recordsParsed < records.length + late.length);
  const after = await UsageLedger.open({ dir });
  assert.equal(after.loadStats.monthsFromSnapshots, 1, 'the month read whole was saved, the one not read was not');
  assert.equal(after.summary({}).totals.requests, records.length + late.length, 'no month was saved half-read');
  after.close();
});

test('two ledgers on one folder (two editor windows): a month neither had read when it started keeps both writers\' records', async () => {
  const dir = tempFolder();
  const first = new UsageLedger({ dir });
  const second = new UsageLedger({ dir });
  const [mine, theirs] = [...generatedRecords(new Date(), 1, 2, 7)].map((record, index) => ({ ...record, requestId: `req_window_${index}` }));
  second.record(theirs!);
  first.record(mine!);
  first.close();
  second.close();
  // Once the first window's snapshot counted the second's line as its own and left it out for good.
  const after = await UsageLedger.open({ dir });
  assert.equal(after.summary({}).totals.requests, 2);
  after.close();
});

/** Spending today far past a small cap for `aider`, in a current month large enough to take a while. */
const busyLedger = (dir: string): UsageRecord[] => {
  const now = new Date();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const earlier = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  const records = [...generatedRecords(earlier, Math.round((monthStart.getTime() - earlier.getTime()) / 86_400_000), 300, 3), ...generatedRecords(today, 1, 25_000, 5)];
  writeLedgerFiles(dir, records);
  return records;
};

test('while the rollups are rebuilt the gateway answers; a request under a budget waits for this month and is refused on it', async () => {
  const dir = tempFolder();
  const records = busyLedger(dir);
  const spentToday = records.filter((record) => record.client === 'aider' && record.time.startsWith(new Date().toISOString().slice(0, 10))).reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
  assert.ok(spentToday > 1, `aider spent $${spentToday} today`);
  const upstream = await new FakeUpstream().on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'))).start();
  let gateway: RunningGateway | undefined;
  try {
    gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
      tokens: [
        { name: 'aider', token: 'mk-local-capped-aider-0123456789', dailyBudgetUsd: 0.5 },
        { name: 'claude-code', token: 'mk-local-free-claude-0123456789' },
      ],
      ledgerDir: dir,
    });
    const ledger = gateway.context.ledger!;
    const ask = (token: string) =>
      fetch(`${gateway!.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }),
      });
    assert.ok(ledger.budgetPeriodsCounted(), 'this month is still being read when the requests go out');
    const capped = ask('mk-local-capped-aider-0123456789').then(async (answer) => ({ status: answer.status, body: (await answer.json()) as any, counted: ledger.budgetPeriodsCounted() === undefined }));
    const free = await ask('mk-local-free-claude-0123456789');
    const freeAnsweredWhileLoading = ledger.loading;
    assert.equal(free.status, 200);
    assert.equal(freeAnsweredWhileLoading, true, 'a request under no cap is answered during the rebuild');
    const usage = (await (await fetch(`${gateway.url.replace(/\/v1$/, '')}/modapi/usage`, { headers: { authorization: 'Bearer mk-local-free-claude-0123456789' } })).json()) as any;
    assert.equal(usage.rebuilding, ledger.loading, 'the usage API says its figures are being rebuilt');
    const refused = await capped;
    assert.equal(refused.status, 429, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'budget_exceeded');
    assert.equal(refused.counted, true, 'answered once this month was counted');
    await ledger.loaded;
    assert.equal(ledger.summary({}).totals.requests, records.length + 2);
  } finally {
    await gateway?.close();
    await upstream.close();
  }
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { budgetViews } from '../../extension/usage/budget-view.js';
import type { ReportCard } from '../../extension/usage/protocol.js';
import { buildReportCard, percentile, weekOf, weeksOf } from '../../extension/usage/report-card.js';
import { reportCardCsv } from '../../extension/usage/report-card-csv.js';
import { exportCsv } from '../../extension/usage/usage-export.js';
import { buildSnapshot } from '../../extension/usage/usage-snapshot.js';
import { comparisonRatings, thumbRating, type Rating } from '../../proxy/usage/ratings.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { usageRecord } from './records.js';
import { CHROMIUM, openUsageWebview, type WebviewHarness } from './webview-page.js';

/** The model report card: figures by hand over a small set of records and ratings, its CSV, and
 * the panel's table (sortable, the win rate hidden under the minimum, readable in each theme). */
const RANGE = { fromDay: '2026-11-09', toDay: '2026-11-22' };
const RECORDS: UsageRecord[] = [
  usageRecord({ time: '2026-11-10T10:00:00.000Z', model: 'gpt-4o', latencyMs: 100, timeToFirstTokenMs: 20, completionTokens: 80, costUsd: 0.25 }),
  usageRecord({ time: '2026-11-11T10:00:00.000Z', model: 'gpt-4o', latencyMs: 300, timeToFirstTokenMs: 100, completionTokens: 100, costUsd: 0.5 }),
  usageRecord({ time: '2026-11-17T10:00:00.000Z', model: 'gpt-4o', latencyMs: 200, timeToFirstTokenMs: 40, completionTokens: 160, costUsd: null, costSource: 'unknown' }),
  usageRecord({ time: '2026-11-18T10:00:00.000Z', model: 'gpt-4o', latencyMs: 1000, timeToFirstTokenMs: 200, completionTokens: 400, costUsd: 0.75 }),
  usageRecord({ time: '2026-11-18T11:00:00.000Z', model: 'gpt-4o', status: 429, errorCode: 'rate_limited', latencyMs: 5, timeToFirstTokenMs: null, costUsd: 0, costSource: 'none' }),
  usageRecord({ time: '2026-11-19T10:00:00.000Z', model: 'claude-sonnet-4-5', provider: 'anthropic', latencyMs: 400, timeToFirstTokenMs: null, costUsd: 0.125 }),
];
const gpt = (id: string) => ({ requestId: id, model: 'gpt-4o', provider: 'modapi' });
const claude = (id: string) => ({ requestId: id, model: 'claude-sonnet-4-5', provider: 'anthropic' });
/** Six comparisons of gpt-4o and claude: in the first week gpt-4o wins two of three, in the second all three. */
const RATINGS: Rating[] = [
  ...comparisonRatings(gpt('g1'), [claude('c1')], '2026-11-10T12:00:00.000Z', 'chat-view'),
  ...comparisonRatings(gpt('g2'), [claude('c2')], '2026-11-11T12:00:00.000Z', 'chat-view'),
  ...comparisonRatings(claude('c3'), [gpt('g3')], '2026-11-12T12:00:00.000Z', 'chat-view'),
  ...['g4', 'g5', 'g6'].flatMap((id, index) => comparisonRatings(gpt(id), [claude(`c${index + 4}`)], '2026-11-20T12:00:00.000Z', 'chat-view')),
  thumbRating(gpt('g1'), 'up', '2026-11-10T12:00:00.000Z', 'chat-view'),
  thumbRating(gpt('g2'), 'down', '2026-11-11T12:00:00.000Z', 'chat-view'),
  thumbRating({ requestId: 'x1', model: 'gemini-2.5-flash', provider: 'gemini' }, 'up', '2026-11-12T12:00:00.000Z', 'chat-view'),
];

async function* recordsOf(records: UsageRecord[]): AsyncGenerator<UsageRecord> {
  yield* records;
}

test('weeks start on Monday (UTC); percentiles are nearest-rank', () => {
  assert.equal(weekOf('2026-11-15'), '2026-11-09');
  assert.equal(weekOf('2026-11-16'), '2026-11-16');
  assert.deepEqual(weeksOf(RANGE), ['2026-11-09', '2026-11-16']);
  assert.equal(percentile([100, 200, 300, 1000], 0.5), 200);
  assert.equal(percentile([100, 200, 300, 1000], 0.9), 1000);
  assert.equal(percentile([], 0.5), null);
});

test('per model: requests, cost per request, p50/p90 latency, p50 first token, tokens/s, thumbs and win rate, by hand', async () => {
  const card = await buildReportCard(recordsOf(RECORDS), RATINGS, RANGE);
  assert.deepEqual(card.rows.map((row) => row.model), ['gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-flash']);
  const [gpt4o, sonnet, gemini] = card.rows;
  assert.deepEqual({ ...gpt4o!, weekly: undefined }, {
    model: 'gpt-4o',
    requests: 5,
    // Known, billable costs only: (0.25 + 0.5 + 0.75) / 3.
    costPerRequestUsd: 0.5,
    // The refused request's 5 ms is left out: 100, 200, 300, 1000.
    p50LatencyMs: 200,
    p90LatencyMs: 1000,
    p50FirstTokenMs: 40,
    // 80/0.08 s, 100/0.2 s, 160/0.16 s, 400/0.8 s = 1000, 500, 1000, 500 tokens/s.
    tokensPerSecond: 500,
    thumbsUp: 1,
    thumbsDown: 1,
    thumbsUpShare: 0.5,
    wins: 5,
    losses: 1,
    comparisons: 6,
    winRate: 5 / 6,
    regenerations: 0,
    weekly: undefined,
  });
  assert.deepEqual(gpt4o!.weekly, { winRate: [null, null], costPerRequestUsd: [0.375, 0.75] }, 'three comparisons a week are under the minimum');
  assert.deepEqual({ winRate: sonnet!.winRate, comparisons: sonnet!.comparisons, firstToken: sonnet!.p50FirstTokenMs, speed: sonnet!.tokensPerSecond }, { winRate: 1 / 6, comparisons: 6, firstToken: null, speed: null });
  assert.deepEqual({ requests: gemini!.requests, share: gemini!.thumbsUpShare, winRate: gemini!.winRate }, { requests: 0, share: 1, winRate: null });
  const lower = await buildReportCard(recordsOf(RECORDS), RATINGS, RANGE, 3);
  assert.deepEqual(lower.rows[0]!.weekly.winRate, [2 / 3, 1]);
});

test('the report card as CSV (from the panel\'s export path), the hidden rate left empty', async () => {
  const ledger = new UsageLedger();
  for (const record of RECORDS) ledger.record(record);
  for (const rating of RATINGS) await ledger.ratings.put(rating);
  let csv = '';
  const rows = await exportCsv(ledger, { view: 'report-card' }, RANGE, { write: (text) => void (csv += text) });
  assert.equal(rows, 3);
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], '"model","requests","costPerRequestUsd","p50LatencyMs","p90LatencyMs","p50FirstTokenMs","tokensPerSecond","thumbsUp","thumbsDown","thumbsUpShare","wins","losses","comparisons","winRate","regenerations"');
  assert.equal(lines[1], `"gpt-4o",5,0.5,200,1000,40,500,1,1,0.5,5,1,6,${5 / 6},0`);
  assert.equal(lines[3], '"gemini-2.5-flash",0,,,,,,1,0,1,0,0,0,,0');
  assert.equal(csv, reportCardCsv(await buildReportCard(recordsOf(RECORDS), RATINGS, RANGE)));
});

let harness: WebviewHarness;
const available = existsSync(CHROMIUM);
const needsChromium = { skip: !available && 'no Chromium at /usr/bin/chromium' };
const THEME = `body { --vscode-charts-blue: rgb(1, 2, 3); --vscode-charts-orange: rgb(4, 5, 6); --vscode-foreground: rgb(200, 200, 200); --vscode-list-inactiveSelectionBackground: rgb(10, 20, 30); }
body.vscode-high-contrast { --vscode-contrastActiveBorder: rgb(243, 129, 18); }`;

before(async () => {
  if (available) harness = await openUsageWebview('vscode-high-contrast', THEME);
});
after(async () => {
  await harness?.close();
});

test('the panel shows the card sortable, the rate hidden under the minimum, the weeks charted, CSV on request', needsChromium, async () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: new Date().toISOString(), model: 'gpt-4o' }));
  const snapshot = buildSnapshot({ reader: ledger, range: '30d', stackBy: 'provider', budgets: budgetViews(ledger.rollups, {}, []), gateway: { url: null, status: 'off', exampleModel: 'gpt-4o' }, now: new Date() });
  const card: ReportCard = await buildReportCard(recordsOf(RECORDS), RATINGS.slice(0, 6).concat(RATINGS.slice(12)), RANGE);
  await harness.deliver({ type: 'snapshot', snapshot, reason: 'initial' });
  await harness.deliver({ type: 'report-card', card });
  await harness.page.locator('.card-table').waitFor();
  const cell = (model: string, column: string) => harness.page.locator(`.card-table tr[data-model="${model}"] td[data-column="${column}"]`).innerText();
  assert.equal(await cell('gpt-4o', 'requests'), '5');
  assert.equal(await cell('gpt-4o', 'costPerRequestUsd'), '$0.5000');
  assert.equal(await cell('gpt-4o', 'p90LatencyMs'), '1.00 s');
  assert.equal(await cell('gpt-4o', 'thumbsUpShare'), '50% of 2');
  assert.equal(await cell('gpt-4o', 'winRate'), '3 (under 5)', 'three comparisons: the count, no rate');
  assert.equal(await cell('gemini-2.5-flash', 'winRate'), '-');
  // Sorting: by cost per request, most first, then the other way.
  const order = () => harness.page.locator('.card-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-model')));
  await harness.page.getByRole('button', { name: 'Sort the report card by cost / request' }).click();
  assert.deepEqual(await order(), ['gpt-4o', 'claude-sonnet-4-5', 'gemini-2.5-flash']);
  assert.equal(await harness.page.locator('th[aria-sort="descending"] [data-sort="costPerRequestUsd"]').count(), 1);
  await harness.page.keyboard.press('Enter');
  assert.deepEqual(await order(), ['claude-sonnet-4-5', 'gpt-4o', 'gemini-2.5-flash'], 'the focused header sorts again from the keyboard');
  // The chart of the first row, in the theme's chart colours, with its weeks as a table.
  await harness.page.locator('.card-chart-canvas canvas').waitFor();
  assert.match(await harness.page.locator('.card-chart').getAttribute('aria-label') ?? '', /of claude-sonnet-4-5, week by week/);
  await harness.page.getByRole('button', { name: 'Chart the weeks of gpt-4o' }).click();
  await harness.page.locator('.card-chart[aria-label^="Win rate and cost per request of gpt-4o"]').waitFor();
  assert.equal(await harness.page.locator('tr.charted').getAttribute('data-model'), 'gpt-4o');
  assert.equal(await harness.page.locator('tr.charted').evaluate((row) => getComputedStyle(row).outlineColor), 'rgb(243, 129, 18)', 'high contrast: the charted row has the contrast border');
  await harness.page.getByRole('button', { name: 'Export the model report card as CSV' }).click();
  assert.deepEqual((await harness.posted()).at(-1), { type: 'export', view: 'report-card' });
});

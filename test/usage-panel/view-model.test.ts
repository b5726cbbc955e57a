import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { daysBetween, rangeFor } from '../../extension/usage/usage-periods.js';
import { breakdownRows, costChart, ledgerIsEmpty, MAX_CHART_SERIES, OTHER_SERIES, periodTotals, recentRows } from '../../extension/usage/usage-view-model.js';
import { buildSnapshot } from '../../extension/usage/usage-snapshot.js';
import { matchesFilter, NO_FILTER } from '../../extension/usage/request-filter.js';
import { usageRecord } from './records.js';

const NOW = new Date('2026-11-22T15:00:00Z');

/** Records spread over this month, the end of last month and today, from two clients. */
const ledgerWith = (): UsageLedger => {
  const ledger = new UsageLedger();
  const records = [
    usageRecord({ time: '2026-10-30T10:00:00Z', model: 'gpt-4o', provider: 'modapi', promptTokens: 1000, completionTokens: 100, costUsd: 4 }),
    usageRecord({ time: '2026-11-01T09:00:00Z', model: 'gpt-4o', provider: 'modapi', promptTokens: 200, completionTokens: 20, costUsd: 2 }),
    usageRecord({ time: '2026-11-16T23:59:59Z', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'aider', promptTokens: 300, completionTokens: 30, costUsd: 1 }),
    usageRecord({ time: '2026-11-17T00:00:00Z', model: 'claude-sonnet-4-5', provider: 'anthropic', client: 'aider', promptTokens: 400, completionTokens: 40, costUsd: 0.5 }),
    usageRecord({ time: '2026-11-20T12:00:00Z', model: 'gemini-2.5-flash', provider: 'gemini', endpoint: '/v1/embeddings', promptTokens: 50, completionTokens: 0, costUsd: null, costSource: 'unknown' }),
    usageRecord({ time: '2026-11-22T08:00:00Z', model: 'gpt-4o', provider: 'modapi', promptTokens: 10, completionTokens: 5, costUsd: 0.25 }),
    usageRecord({ time: '2026-11-22T14:00:00Z', model: 'gpt-4o', provider: 'modapi', client: 'aider', status: 502, errorCode: 'upstream_error', promptTokens: 7, completionTokens: 0, costUsd: 0, costSource: 'none' }),
  ];
  for (const record of records) ledger.record(record);
  return ledger;
};

test('the three totals count UTC days: today, the last 7 days (16th excluded, 17th included), this month', () => {
  const periods = periodTotals(ledgerWith(), NOW);
  assert.deepEqual(
    periods.map((period) => [period.id, period.fromDay, period.toDay]),
    [['today', '2026-11-22', '2026-11-22'], ['week', '2026-11-16', '2026-11-22'], ['month', '2026-11-01', '2026-11-22']],
  );
  const [today, week, month] = periods.map((period) => period.totals);
  assert.deepEqual(today, { requests: 2, errors: 1, promptTokens: 17, completionTokens: 5, costUsd: 0.25, unknownCostRequests: 0 });
  // The week starts on the 16th (today and six days before).
  assert.deepEqual(week, { requests: 5, errors: 1, promptTokens: 767, completionTokens: 75, costUsd: 1.75, unknownCostRequests: 1 });
  assert.deepEqual(month, { requests: 6, errors: 1, promptTokens: 967, completionTokens: 95, costUsd: 3.75, unknownCostRequests: 1 });
});

test('the cost chart has one value per day and per provider, largest layer first', () => {
  const range = rangeFor('7d', NOW);
  const chart = costChart(ledgerWith(), range, 'provider');
  assert.deepEqual(chart.days, ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
  // Gemini's only request has an unknown cost: no layer of zeros for it.
  assert.deepEqual(chart.series, [
    { key: 'anthropic', values: [1, 0.5, 0, 0, 0, 0, 0] },
    { key: 'modapi', values: [0, 0, 0, 0, 0, 0, 0.25] },
  ]);
  const byModel = costChart(ledgerWith(), rangeFor('month', NOW), 'model');
  assert.equal(byModel.days.length, 22);
  assert.deepEqual(byModel.series.map((series) => [series.key, series.values.reduce((sum, value) => sum + value, 0)]), [['gpt-4o', 2.25], ['claude-sonnet-4-5', 1.5]]);
  assert.equal(byModel.series[0]!.values[0], 2);
});

test('past the layer limit the smallest layers are summed into "other", day by day', () => {
  const ledger = new UsageLedger();
  const models = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
  models.forEach((model, position) => {
    ledger.record(usageRecord({ time: '2026-11-21T10:00:00Z', model, costUsd: 10 - position }));
    ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', model, costUsd: 1 }));
  });
  const chart = costChart(ledger, { fromDay: '2026-11-21', toDay: '2026-11-22' }, 'model');
  assert.equal(chart.series.length, MAX_CHART_SERIES);
  assert.deepEqual(chart.series.map((series) => series.key), ['m1', 'm2', 'm3', 'm4', 'm5', OTHER_SERIES]);
  // m6, m7, m8 cost 5 + 4 + 3 on the 21st and 1 each on the 22nd.
  assert.deepEqual(chart.series.at(-1)!.values, [12, 3]);
  assert.deepEqual(chart.series[0]!.values, [11 - 1, 1]);
});

test('breakdowns by model, provider, client and endpoint with exact sums and cost shares', () => {
  const range = rangeFor('month', NOW);
  const ledger = ledgerWith();
  assert.deepEqual(
    breakdownRows(ledger, range, 'client').map((row) => [row.key, row.requests, row.promptTokens, row.completionTokens, row.costUsd, row.costShare]),
    [['default', 3, 260, 25, 2.25, 0.6], ['aider', 3, 707, 70, 1.5, 0.4]],
  );
  assert.deepEqual(
    breakdownRows(ledger, range, 'endpoint').map((row) => [row.key, row.requests, row.costUsd, row.unknownCostRequests]),
    [['/v1/chat/completions', 5, 3.75, 0], ['/v1/embeddings', 1, 0, 1]],
  );
  assert.deepEqual(breakdownRows(ledger, range, 'provider').map((row) => row.key), ['modapi', 'anthropic', 'gemini']);
  assert.deepEqual(breakdownRows(ledger, range, 'model').map((row) => [row.key, row.errors]), [['gpt-4o', 1], ['claude-sonnet-4-5', 0], ['gemini-2.5-flash', 0]]);
});

test('the request table holds the range\'s requests, newest first, metadata only', () => {
  const rows = recentRows(ledgerWith(), rangeFor('7d', NOW));
  assert.deepEqual(rows.map((row) => row.time), ['2026-11-22T14:00:00Z', '2026-11-22T08:00:00Z', '2026-11-20T12:00:00Z', '2026-11-17T00:00:00Z', '2026-11-16T23:59:59Z']);
  assert.deepEqual(Object.keys(rows[0]!).sort(), ['client', 'completionTokens', 'costSource', 'costUsd', 'endpoint', 'errorCode', 'latencyMs', 'model', 'promptTokens', 'provider', 'requestId', 'status', 'stream', 'time', 'timeToFirstTokenMs']);
  assert.equal(rows[2]!.costUsd, null);
});

test('requests that finished out of order are still listed newest first', () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-22T10:00:02Z', requestId: 'late' }));
  ledger.record(usageRecord({ time: '2026-11-22T10:00:01Z', requestId: 'early' }));
  ledger.record(usageRecord({ time: '2026-11-22T10:00:03Z', requestId: 'last' }));
  assert.deepEqual(recentRows(ledger, rangeFor('7d', NOW)).map((row) => row.requestId), ['last', 'late', 'early']);
});

test('float sums are rounded so a cost never shows noise', () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-22T01:00:00Z', costUsd: 0.1 }));
  ledger.record(usageRecord({ time: '2026-11-22T02:00:00Z', costUsd: 0.2 }));
  assert.equal(periodTotals(ledger, NOW)[0]!.totals.costUsd, 0.3);
  assert.deepEqual(costChart(ledger, { fromDay: '2026-11-22', toDay: '2026-11-22' }, 'model').series[0]!.values, [0.3]);
});

test('a snapshot of an empty ledger says so; one record ends the empty state', () => {
  const ledger = new UsageLedger();
  const input = { reader: ledger, range: '30d' as const, stackBy: 'provider' as const, budgets: [], gateway: { url: 'http://127.0.0.1:4141/v1', status: 'running', exampleModel: 'gpt-4o' }, now: NOW };
  const empty = buildSnapshot(input);
  assert.equal(empty.empty, true);
  assert.equal(empty.recording, true);
  assert.equal(empty.chart.days.length, 30);
  assert.deepEqual(empty.chart.series, []);
  assert.equal(ledgerIsEmpty(ledger), true);
  ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', costUsd: 0.5, promptTokens: 3 }));
  const first = buildSnapshot(input);
  assert.equal(first.empty, false);
  assert.equal(first.requests.length, 1);
  assert.equal(first.periods[0]!.totals.costUsd, 0.5);
  assert.deepEqual(first.chart.series, [{ key: 'modapi', values: [...Array(29).fill(0), 0.5] }]);
  const unconnected = buildSnapshot({ ...input, reader: undefined });
  assert.equal(unconnected.recording, false);
  assert.equal(unconnected.empty, true);
});

test('ranges: 7, 30 and 90 days end today; this month starts on the 1st; days run across months', () => {
  assert.deepEqual(rangeFor('90d', NOW), { fromDay: '2026-08-25', toDay: '2026-11-22' });
  assert.deepEqual(rangeFor('month', new Date('2026-03-01T00:00:00Z')), { fromDay: '2026-03-01', toDay: '2026-03-01' });
  assert.deepEqual(daysBetween('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
});

test('breakdowns by team, end user, customer and feature; request rows carry them and the search finds them', () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-22T09:00:00Z', requestId: 'tagged', team: 'research', user: 'u-1', tags: { customer: 'acme', feature: 'summarize' }, costUsd: 0.5 }));
  ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', requestId: 'customer-only', tags: { customer: 'globex' }, costUsd: 0.25 }));
  ledger.record(usageRecord({ time: '2026-11-22T11:00:00Z', requestId: 'plain', costUsd: 0.25 }));
  const range = rangeFor('7d', NOW);
  const keysOf = (dimension: Parameters<typeof breakdownRows>[2]) => breakdownRows(ledger, range, dimension).map((row) => [row.key, row.requests, row.costShare]);
  assert.deepEqual(keysOf('tag:customer'), [['acme', 1, 0.5], ['globex', 1, 0.25], ['(none)', 1, 0.25]]);
  // Equal costs: the group with more requests first.
  assert.deepEqual(keysOf('team'), [['(none)', 2, 0.5], ['research', 1, 0.5]]);
  assert.deepEqual(keysOf('user'), [['(none)', 2, 0.5], ['u-1', 1, 0.5]]);
  assert.deepEqual(keysOf('tag:feature'), [['(none)', 2, 0.5], ['summarize', 1, 0.5]]);
  const rows = recentRows(ledger, range);
  const tagged = rows.find((row) => row.requestId === 'tagged')!;
  assert.deepEqual([tagged.team, tagged.user, tagged.tags], ['research', 'u-1', { customer: 'acme', feature: 'summarize' }]);
  assert.ok(!('team' in rows.find((row) => row.requestId === 'plain')!), 'a request without attribution has none of the fields');
  const found = (search: string) => rows.filter((row) => matchesFilter(row, { ...NO_FILTER, search })).map((row) => row.requestId);
  assert.deepEqual(found('customer=acme'), ['tagged']);
  assert.deepEqual(found('customer='), ['customer-only', 'tagged']);
  assert.deepEqual(found('research'), ['tagged']);
  assert.deepEqual(found('u-1'), ['tagged']);
});

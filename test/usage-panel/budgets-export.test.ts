import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { RECORD_COLUMNS } from '../../proxy/usage/usage-csv.js';
import { budgetHint, budgetState, budgetViews } from '../../extension/usage/budget-view.js';
import { trailingThrottle } from '../../extension/usage/throttle.js';
import { matchesFilter, NO_FILTER } from '../../extension/usage/request-filter.js';
import { exportCsv, exportFileName, type ExportRequest, type ExportSource } from '../../extension/usage/usage-export.js';
import type { DayRange } from '../../extension/usage/usage-periods.js';
import { csvTexts, parseCsv } from '../support/csv.js';
import { usageRecord } from './records.js';

const NOW = new Date('2026-11-22T15:00:00Z');

test('budgets: spent today and this month against each cap, with the warning threshold', () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-03T10:00:00Z', costUsd: 6 }));
  ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', costUsd: 0.75, client: 'aider' }));
  ledger.record(usageRecord({ time: '2026-11-22T11:00:00Z', costUsd: 0.25 }));
  const views = budgetViews(ledger.rollups, { dailyUsd: 1.25, monthlyUsd: 20, warnAt: 0.75 }, [{ name: 'aider', policy: { dailyBudgetUsd: 0.5 } }, { name: 'ci' }], () => NOW);
  assert.deepEqual(
    views.map((view) => [view.id, view.label, view.periodKey, view.spentUsd, view.capUsd, view.fraction, view.warnAt, view.state]),
    [
      ['overall|day', 'Daily budget (all clients)', '2026-11-22', 1, 1.25, 0.8, 0.75, 'warning'],
      ['overall|month', 'Monthly budget (all clients)', '2026-11', 7, 20, 0.35, 0.75, 'ok'],
      ['token|aider|day', 'Daily budget of "aider"', '2026-11-22', 0.75, 0.5, 1.5, 0.75, 'exceeded'],
    ],
  );
});

test('budgets: none set, none shown; a zero cap is no cap; the default warning is at 80%', () => {
  const ledger = new UsageLedger();
  assert.deepEqual(budgetViews(ledger.rollups, {}, [], () => NOW), []);
  assert.deepEqual(budgetViews(ledger.rollups, { dailyUsd: 0 }, [], () => NOW), []);
  assert.equal(budgetViews(ledger.rollups, { monthlyUsd: 5 }, [], () => NOW)[0]!.warnAt, 0.8);
  assert.equal(budgetState(0.79, 0.8), 'ok');
  assert.equal(budgetState(0.8, 0.8), 'warning');
  assert.equal(budgetState(1, 0.8), 'exceeded');
});

const request = { requestId: 'req_abc', client: 'aider', endpoint: '/v1/chat/completions', provider: 'anthropic', model: 'claude-sonnet-4-5', status: 200, errorCode: null };

test('the request filter: exact client and model, ok or failed, every search word anywhere', () => {
  assert.equal(matchesFilter(request, NO_FILTER), true);
  assert.equal(matchesFilter(request, { ...NO_FILTER, client: 'aider' }), true);
  assert.equal(matchesFilter(request, { ...NO_FILTER, client: 'aid' }), false);
  assert.equal(matchesFilter(request, { ...NO_FILTER, model: 'gpt-4o' }), false);
  assert.equal(matchesFilter(request, { ...NO_FILTER, status: 'ok' }), true);
  assert.equal(matchesFilter(request, { ...NO_FILTER, status: 'error' }), false);
  assert.equal(matchesFilter({ ...request, status: 429, errorCode: 'budget_exceeded' }, { ...NO_FILTER, status: 'error', search: 'BUDGET' }), true);
  assert.equal(matchesFilter({ ...request, status: 200, errorCode: 'client_closed' }, { ...NO_FILTER, status: 'ok' }), false);
  assert.equal(matchesFilter(request, { ...NO_FILTER, search: 'sonnet  anthropic' }), true);
  assert.equal(matchesFilter(request, { ...NO_FILTER, search: 'sonnet gemini' }), false);
});

const exportLedger = (): UsageLedger => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-20T10:00:00Z', requestId: 'req_1', model: 'gpt-4o', promptTokens: 10, completionTokens: 2, costUsd: 0.5 }));
  ledger.record(usageRecord({ time: '2026-11-21T10:00:00Z', requestId: 'req_2', model: '=HYPERLINK("x")', client: 'aider', promptTokens: 5, costUsd: 0.25 }));
  ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', requestId: 'req_3', model: 'gpt-4o', client: 'aider', status: 429, errorCode: 'budget_exceeded', costUsd: 0, costSource: 'none' }));
  return ledger;
};

/** The CSV an export writes, whole. */
const exported = async (source: ExportSource, request: ExportRequest, range: DayRange): Promise<{ csv: string; rows: number }> => {
  let csv = '';
  const rows = await exportCsv(source, request, range, { write: (text) => void (csv += text) });
  return { csv, rows };
};

const rows = async (request: ExportRequest, range: DayRange): Promise<string[][]> => csvTexts((await exported(exportLedger(), request, range)).csv);

test('CSV export: totals, cost per day and a breakdown, built by the ledger\'s CSV code', async () => {
  const range = { fromDay: '2026-11-16', toDay: '2026-11-22' };
  const totals = await rows({ view: 'totals' }, range);
  assert.deepEqual(totals[0]!.slice(0, 5), ['scope', 'requests', 'errors', 'promptTokens', 'completionTokens']);
  assert.deepEqual(totals[1]!.slice(0, 5), ['total', '3', '1', '15', '2']);
  const costColumn = totals[0]!.indexOf('costUsd');
  assert.equal(totals[1]![costColumn], '0.75');
  const daily = await rows({ view: 'daily' }, range);
  assert.deepEqual(daily.map((row) => [row[0], row[costColumn]]), [['day', 'costUsd'], ['2026-11-20', '0.5'], ['2026-11-21', '0.25'], ['2026-11-22', '0']]);
  const byClient = await rows({ view: 'breakdown', breakdown: 'client' }, range);
  assert.deepEqual(byClient.map((row) => [row[0], row[1]]), [['client', 'requests'], ['default', '1'], ['aider', '2']]);
  assert.equal(exportFileName({ view: 'breakdown', breakdown: 'client' }, range), 'modapi-usage-client-2026-11-16-2026-11-22.csv');
  const byCustomer = await rows({ view: 'breakdown', breakdown: 'tag:customer' }, range);
  assert.equal(byCustomer[0]![0], 'tag:customer');
  assert.deepEqual(byCustomer.slice(1).map((row) => row[0]), ['(none)'], 'records without the tag are one group');
  assert.equal(exportFileName({ view: 'breakdown', breakdown: 'tag:customer' }, range), 'modapi-usage-tag-customer-2026-11-16-2026-11-22.csv', 'no colon in a file name');
});

test('CSV export of requests: the range\'s records that pass the table\'s filter, oldest first, formulas defused', async () => {
  const { csv, rows: count } = await exported(exportLedger(), { view: 'requests', filter: { ...NO_FILTER, client: 'aider' } }, { fromDay: '2026-11-21', toDay: '2026-11-22' });
  const lines = parseCsv(csv);
  assert.equal(count, 2);
  assert.deepEqual(lines[0]!.map((cell) => cell.text), [...RECORD_COLUMNS]);
  assert.equal(lines.length, 3);
  const column = (name: string) => RECORD_COLUMNS.indexOf(name as (typeof RECORD_COLUMNS)[number]);
  assert.deepEqual(lines[1]!.slice(0, 6).map((cell) => cell.text), ['2026-11-21T10:00:00Z', 'req_2', 'aider', '/v1/chat/completions', 'modapi', '\'=HYPERLINK("x")']);
  assert.deepEqual(lines[2]![column('status')], { text: '429', quoted: false }, 'numbers stay numbers');
  assert.deepEqual(lines[2]![column('errorCode')], { text: 'budget_exceeded', quoted: true });
  const failedOnly = await exported(exportLedger(), { view: 'requests', filter: { ...NO_FILTER, status: 'error' } }, { fromDay: '2026-11-01', toDay: '2026-11-30' });
  assert.equal(failedOnly.rows, 1);
  assert.equal(exportFileName({ view: 'requests' }, { fromDay: '2026-11-01', toDay: '2026-11-22' }), 'modapi-usage-requests-2026-11-01-2026-11-22.csv');
});

test('the status bar hint names the worst budget past its warning, and nothing while all are fine', () => {
  const ledger = new UsageLedger();
  ledger.record(usageRecord({ time: '2026-11-22T10:00:00Z', costUsd: 0.9 }));
  assert.equal(budgetHint(budgetViews(ledger.rollups, { dailyUsd: 2 }, [], () => NOW)), undefined);
  const hint = budgetHint(budgetViews(ledger.rollups, { dailyUsd: 1, monthlyUsd: 100 }, [], () => NOW));
  assert.deepEqual(hint, { text: '$(warning) Budget 90%', tooltip: 'Daily budget (all clients): $0.90 of $1.00 (90%, 2026-11-22)', exceeded: false });
  ledger.record(usageRecord({ time: '2026-11-22T11:00:00Z', costUsd: 0.5 }));
  const over = budgetHint(budgetViews(ledger.rollups, { dailyUsd: 1, monthlyUsd: 1.5 }, [], () => NOW));
  assert.equal(over?.text, '$(error) Budget 140%');
  assert.equal(over?.exceeded, true);
  assert.equal(over?.tooltip.split('\n').length, 2);
  assert.match(over!.tooltip, /^Daily budget \(all clients\): \$1\.40 of \$1\.00 \(140%, 2026-11-22\), requests refused\nMonthly budget/);
});

test('live updates: a burst of records becomes one update, the first one after the delay', async () => {
  let runs = 0;
  const throttle = trailingThrottle(() => (runs += 1), 20);
  for (let index = 0; index < 50; index += 1) throttle.schedule();
  assert.equal(runs, 0);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(runs, 1);
  throttle.schedule();
  throttle.cancel();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(runs, 1);
});

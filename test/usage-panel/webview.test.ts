import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { budgetViews } from '../../extension/usage/budget-view.js';
import type { UsageSnapshot } from '../../extension/usage/protocol.js';
import { buildSnapshot } from '../../extension/usage/usage-snapshot.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import { usageRecord } from './records.js';
import { CHROMIUM, openUsageWebview, type WebviewHarness } from './webview-page.js';

/** The bundled webview in Chromium under its real CSP: what it shows for a snapshot, what it posts
 * back, live updates, keyboard reach and theme colours. */
const NOW = new Date();
const today = NOW.toISOString().slice(0, 10);
const at = (hour: number): string => `${today}T${String(hour).padStart(2, '0')}:00:00.000Z`;
const THEME = `body { --vscode-charts-blue: rgb(1, 2, 3); --vscode-charts-orange: rgb(4, 5, 6); --vscode-foreground: rgb(200, 200, 200); }
body.vscode-high-contrast { --vscode-charts-blue: rgb(7, 8, 9); --vscode-contrastBorder: rgb(111, 195, 223); }`;

const ledger = new UsageLedger();
const gateway = { url: 'http://127.0.0.1:4141/v1', status: 'Gateway running', exampleModel: 'gpt-4o' };
const snapshotOf = (): UsageSnapshot =>
  buildSnapshot({ reader: ledger, range: '7d', stackBy: 'provider', budgets: budgetViews(ledger.rollups, { dailyUsd: 1 }, []), gateway, now: NOW });

let harness: WebviewHarness;
const available = existsSync(CHROMIUM);

before(async () => {
  if (available) harness = await openUsageWebview('vscode-dark', THEME);
});
after(async () => {
  await harness?.close();
});

const text = (selector: string): Promise<string> => harness.page.locator(selector).first().innerText();

test('an empty ledger shows how to make a first request, without a token', { skip: !available && 'no Chromium at /usr/bin/chromium' }, async () => {
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'initial' });
  await harness.page.locator('.empty-state').waitFor();
  assert.equal(await text('.gateway-url'), 'http://127.0.0.1:4141/v1');
  const curl = await text('.curl-line');
  assert.match(curl, /^curl http:\/\/127\.0\.0\.1:4141\/v1\/chat\/completions -H "Authorization: Bearer \$MODAPI_TOKEN"/);
  assert.match(curl, /"model":"gpt-4o"/);
  await harness.page.getByRole('button', { name: 'Copy a local token' }).click();
  assert.deepEqual((await harness.posted()).slice(0, 2), [{ type: 'ready', range: '30d', stackBy: 'provider' }, { type: 'copy-token' }]);
});

test('totals, chart layers, breakdown and requests show the snapshot\'s exact numbers', { skip: !available && 'no Chromium' }, async () => {
  ledger.record(usageRecord({ time: at(0), requestId: 'req_a', provider: 'modapi', model: 'gpt-4o', promptTokens: 1200, completionTokens: 300, costUsd: 0.25, latencyMs: 850, timeToFirstTokenMs: 120 }));
  ledger.record(usageRecord({ time: at(0), requestId: 'req_b', provider: 'anthropic', model: 'claude-sonnet-4-5', client: 'aider', promptTokens: 100, completionTokens: 20, costUsd: 0.5, latencyMs: 1500, timeToFirstTokenMs: null }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'initial' });
  await harness.page.locator('.totals').waitFor();
  const card = '[data-period="today"]';
  assert.equal(await text(`${card} [data-stat="requests"] dd`), '2');
  assert.equal(await text(`${card} [data-stat="prompt-tokens"] dd`), '1,300');
  assert.equal(await text(`${card} [data-stat="completion-tokens"] dd`), '320');
  assert.equal(await text(`${card} [data-stat="cost"] dd`), '$0.7500');
  assert.equal(await harness.page.locator('figure.chart').getAttribute('data-layers'), 'anthropic,modapi');
  assert.equal(await harness.page.locator('figure.chart').getAttribute('data-days'), '7');
  assert.equal(await text('[data-layer="anthropic"] .layer-total'), '$0.5000');
  assert.equal(await harness.page.locator('.chart-canvas canvas').count(), 1);
  assert.equal(await text('[data-breakdown="model"] tr[data-key="claude-sonnet-4-5"] .cost'), '$0.5000');
  const row = harness.page.locator('tr[data-request-id="req_a"] td');
  assert.deepEqual((await row.allInnerTexts()).slice(1), ['default', 'gpt-4o', '200', '1,200 / 300', '$0.2500', '850 ms', '120 ms']);
  assert.equal(await text('[data-budget="overall|day"] .budget-numbers'), '$0.7500 of $1.00 (75%)');
  assert.equal(harness.problems.length, 0, harness.problems.join('\n'));
});

test('a live update adds the new request, marked, and crossing the warning shows on the bar', { skip: !available && 'no Chromium' }, async () => {
  ledger.record(usageRecord({ time: at(1), requestId: 'req_live', model: 'gpt-4o', costUsd: 0.125 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await harness.page.locator('tr[data-request-id="req_live"].fresh').waitFor();
  assert.equal(await harness.page.locator('tr.fresh').count(), 1);
  assert.equal(await text('[data-period="today"] [data-stat="cost"] dd'), '$0.8750');
  assert.equal(await harness.page.locator('[data-budget="overall|day"]').getAttribute('data-state'), 'warning');
  assert.equal(await harness.page.locator('[data-budget="overall|day"] [role="progressbar"]').getAttribute('aria-valuenow'), '0.875');
});

test('filters and search narrow the table, and the export asks for what the table shows', { skip: !available && 'no Chromium' }, async () => {
  await harness.page.locator('select[data-filter="client"]').selectOption('aider');
  assert.deepEqual(await harness.page.locator('.requests-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id'))), ['req_b']);
  await harness.page.locator('select[data-filter="client"]').selectOption('');
  await harness.page.locator('input[data-filter="search"]').fill('gpt');
  assert.equal(await harness.page.locator('.requests-table tbody tr').count(), 2);
  // Typing keeps the focus in the search box although the table re-renders.
  assert.equal(await harness.page.evaluate('document.activeElement.getAttribute("data-filter")'), 'search');
  await harness.page.getByRole('button', { name: 'Export the requests that pass the filter as CSV' }).click();
  assert.deepEqual((await harness.posted()).at(-1), { type: 'export', view: 'requests', filter: { search: 'gpt', client: '', model: '', status: 'all' } });
  await harness.page.locator('input[data-filter="search"]').fill('');
});

test('the range, stacking and breakdown controls are reached and worked with the keyboard', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  await page.locator('select[data-control="range"]').focus();
  const reached: string[] = [];
  for (let step = 0; step < 12; step += 1) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate('(document.activeElement.getAttribute("aria-label") || document.activeElement.textContent || "").trim()'));
  }
  assert.ok(reached.includes('Stack the cost chart by model'), reached.join(' | '));
  assert.ok(reached.includes('Break down by client (local token)'), reached.join(' | '));
  await page.getByRole('button', { name: 'Stack the cost chart by model' }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual((await harness.posted()).at(-1), { type: 'set-view', range: '30d', stackBy: 'model' });
  await page.getByRole('button', { name: 'Break down by client (local token)' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('table[data-breakdown="client"] tbody tr').count(), 2);
  await page.locator('select[data-control="range"]').selectOption('month');
  assert.deepEqual((await harness.posted()).at(-1), { type: 'set-view', range: 'month', stackBy: 'model' });
});

test('chart colours come from the theme\'s variables when drawn; high contrast gets its borders', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  const swatch = (): Promise<string> => page.locator('[data-layer] .swatch').first().evaluate((element) => getComputedStyle(element).backgroundColor);
  assert.equal(await swatch(), 'rgb(1, 2, 3)');
  await page.evaluate('document.body.className = "vscode-high-contrast"');
  await page.waitForFunction('getComputedStyle(document.querySelector("[data-layer] .swatch")).backgroundColor === "rgb(7, 8, 9)"');
  const border = await page.locator('.card').first().evaluate((element) => getComputedStyle(element).borderTopColor);
  assert.equal(border, 'rgb(111, 195, 223)');
  assert.equal(harness.problems.length, 0, harness.problems.join('\n'));
});

test('a breakdown row leads to its requests: the client filter set, the table narrowed', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  await page.getByRole('button', { name: 'Break down by client (local token)' }).click();
  await page.getByRole('button', { name: 'Show the requests of client aider' }).click();
  assert.equal(await page.locator('select[data-filter="client"]').inputValue(), 'aider');
  assert.equal(await page.evaluate('document.activeElement.getAttribute("data-filter")'), 'client');
  assert.deepEqual(await page.locator('.requests-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id'))), ['req_b']);
  await page.getByRole('button', { name: 'Break down by provider' }).click();
  await page.getByRole('button', { name: 'Show the requests of provider anthropic' }).click();
  assert.equal(await page.locator('input[data-filter="search"]').inputValue(), 'anthropic');
  assert.equal(await page.locator('select[data-filter="client"]').inputValue(), '');
  assert.equal(await page.locator('.requests-table tbody tr').count(), 1);
  await page.locator('input[data-filter="search"]').fill('');
});

test('a customer breakdown row leads to its requests by the tag, searched as key=value', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  ledger.record(usageRecord({ time: at(1), requestId: 'req_acme', client: 'aider', team: 'research', tags: { customer: 'acme' }, costUsd: 0.125 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await page.getByRole('button', { name: 'Break down by customer (tag)' }).click();
  assert.equal(await text('table[data-breakdown="tag:customer"] tr[data-key="acme"] .cost'), '$0.1250');
  await page.getByRole('button', { name: 'Show the requests of tag:customer acme' }).click();
  assert.equal(await page.locator('input[data-filter="search"]').inputValue(), 'customer=acme');
  assert.deepEqual(await page.locator('.requests-table tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-request-id'))), ['req_acme']);
  assert.equal(await page.locator('tr[data-request-id="req_acme"] td').nth(1).getAttribute('title'), 'team research · customer=acme');
  await page.getByRole('button', { name: 'Break down by team (of the token)' }).click();
  assert.equal(await page.locator('table[data-breakdown="team"] tr[data-key="research"]').count(), 1);
  await page.locator('input[data-filter="search"]').fill('');
  await page.getByRole('button', { name: 'Break down by model' }).click();
});

test('a live update keeps the keyboard focus where it was, and the search caret', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  const focused = (): Promise<string | null> => page.evaluate('document.activeElement && (document.activeElement.getAttribute("aria-label") || document.activeElement.getAttribute("data-filter"))');
  await page.getByRole('button', { name: 'Break down by provider' }).focus();
  ledger.record(usageRecord({ time: at(3), requestId: 'req_focus_1', costUsd: 0.01 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await page.locator('tr[data-request-id="req_focus_1"]').waitFor();
  assert.equal(await focused(), 'Break down by provider');
  await page.locator('select[data-control="range"]').focus();
  ledger.record(usageRecord({ time: at(3), requestId: 'req_focus_2', costUsd: 0.01 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await page.locator('tr[data-request-id="req_focus_2"]').waitFor();
  assert.equal(await focused(), 'Range of the chart, breakdown and requests');
  await page.locator('input[data-filter="search"]').fill('gpt-4o');
  await page.keyboard.press('ArrowLeft');
  ledger.record(usageRecord({ time: at(3), requestId: 'req_focus_3', costUsd: 0.01 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await page.locator('tr[data-request-id="req_focus_3"]').waitFor();
  assert.equal(await focused(), 'Search requests');
  assert.equal(await page.evaluate('document.activeElement.selectionStart'), 5);
  await page.locator('input[data-filter="search"]').fill('');
});

test('a layer keeps its colour when the ranking changes', { skip: !available && 'no Chromium' }, async () => {
  const page = harness.page;
  await page.evaluate('document.body.className = "vscode-dark"');
  const colorOf = (key: string): Promise<string> => page.locator(`[data-layer="${key}"] .swatch`).evaluate((element) => getComputedStyle(element).backgroundColor);
  const before = { anthropic: await colorOf('anthropic'), modapi: await colorOf('modapi') };
  assert.notEqual(before.anthropic, before.modapi);
  ledger.record(usageRecord({ time: at(2), requestId: 'req_big', provider: 'modapi', costUsd: 2 }));
  await harness.deliver({ type: 'snapshot', snapshot: snapshotOf(), reason: 'live' });
  await page.locator('figure.chart[data-layers="modapi,anthropic"]').waitFor();
  assert.deepEqual({ anthropic: await colorOf('anthropic'), modapi: await colorOf('modapi') }, before);
});

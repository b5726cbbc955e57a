import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Frame } from 'playwright-core';
import { csvTexts } from '../support/csv.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { createProfile, installExtension, portForLater, startCodeServer, type RunningCodeServer } from './support/code-server.js';
import { ensureCodeServer } from './support/install-code-server.js';
import { openBrowser, Workbench } from './support/workbench.js';

/** The usage panel in a real VS Code (code-server 4.100.3) in Chromium, as a new user meets it:
 * empty at first with a first-request guide; requests through the gateway and from the chat view
 * (a fake upstream that reports 1,000 tokens in, 200 out and $0.25 per request) appear live with
 * the right totals, chart layers and rows; a daily budget of $1.45 warns at its 80% threshold and
 * then refuses; and the request table exports as CSV. A screenshot per step goes to test-output/e2e/. */

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const KEY = 'sk-e2e-usage-key-0123456789abcdef';
const COST = 0.25;
const DAILY_BUDGET = 1.45;

let upstream: FakeUpstream;
let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let workbench: Workbench;
let profileRoot: string;
let workspace: string;
let gatewayUrl = '';
let localToken = '';

const uiTest = (title: string, timeoutMs: number, body: () => Promise<void>): void => {
  const slug = `usage-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean).slice(0, 4).join('-')}`;
  test(title, { timeout: timeoutMs }, () => workbench.step(slug, body));
};

const completion = (model: string) => ({
  id: 'chatcmpl-usage-e2e',
  object: 'chat.completion',
  created: 1_700_000_000,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Counted.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, cost: COST },
});

const streamed = (model: string): string[] => [
  `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { role: 'assistant', content: 'Counted.' }, finish_reason: null }] })}\n\n`,
  `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
  `data: ${JSON.stringify({ id: 'chatcmpl-s', object: 'chat.completion.chunk', created: 1, model, choices: [], usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, cost: COST } })}\n\n`,
  'data: [DONE]\n\n',
];

before(async () => {
  upstream = await new FakeUpstream()
    .on('GET /v1/models', (_request, response) => {
      sendJson(response, 200, { object: 'list', data: ['gpt-4o-mini', 'gpt-4o'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'modapi' })) });
    })
    .on('POST /v1/chat/completions', async (request, response) => {
      const body = request.json();
      if (body.stream) await sendEvents(response, streamed(body.model));
      else sendJson(response, 200, completion(body.model));
    })
    .start();
  ensureCodeServer();
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-usage-e2e-'));
  // Packaged like the release (.vsix), to a file of this suite's own.
  const vsix = join(profileRoot, 'modapi.vsix');
  await run('node', ['esbuild.js', '--production'], { cwd: ROOT, timeout: 180_000 });
  await run(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: ROOT, timeout: 180_000 });
  const profile = createProfile(profileRoot, { 'modapi.baseUrl': upstream.url(), 'modapi.gateway.port': await portForLater(), 'modapi.budget.daily': DAILY_BUDGET });
  workspace = profile.workspace;
  await installExtension(profile, vsix);
  codeServer = await startCodeServer(profile);
  const opened = await openBrowser(codeServer.url);
  browser = opened.browser;
  workbench = new Workbench(opened.page);
}, { timeout: 420_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  await upstream?.close();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

/** The usage panel's page: a webview lives in nested iframes; ours is the one with its title. */
const usageFrame = async (timeoutMs = 20_000): Promise<Frame> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of workbench.page.frames()) {
      if (await frame.locator('h1.title', { hasText: 'ModAPI Usage' }).count().catch(() => 0)) return frame;
    }
    await workbench.page.waitForTimeout(200);
  }
  throw new Error('the usage panel webview did not appear');
};

/** The chat view's page: the frame with the composer. */
const chatFrame = async (): Promise<Frame> => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const frame of workbench.page.frames()) {
      if (await frame.locator('form.composer').count().catch(() => 0)) return frame;
    }
    await workbench.page.waitForTimeout(250);
  }
  throw new Error('the chat view did not render');
};

const ask = async (model: string, stream = false): Promise<Response> =>
  fetch(`${gatewayUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${localToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'count me' }] }),
  });

const askOk = async (model: string, stream = false): Promise<void> => {
  const response = await ask(model, stream);
  assert.equal(response.status, 200, await response.clone().text());
  await response.text();
};

const clipboardMatching = async (pattern: RegExp): Promise<string> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await workbench.clipboard();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`the clipboard holds no ${pattern} (${text.length} characters)`);
    await workbench.page.waitForTimeout(100);
  }
};

const stat = (frame: Frame, period: string, name: string): Promise<string> => frame.locator(`[data-period="${period}"] [data-stat="${name}"] dd`).innerText();

uiTest('set up as a new user: key from the palette, gateway URL and local token copied', 120_000, async () => {
  await workbench.open(`${codeServer!.url}/?folder=${encodeURIComponent(workspace)}`);
  await workbench.page.locator('.part.statusbar [aria-label*="Gateway running on http://127.0.0.1:"]').first().waitFor({ timeout: 60_000 });
  await workbench.runCommand('ModAPI: Set API Key');
  await workbench.answerInput('ModAPI: Set API Key', KEY, true);
  await workbench.page.keyboard.press('Enter');
  await workbench.notification('ModAPI: API key saved and accepted').waitFor({ timeout: 30_000 });
  // What was copied is read from the clipboard, as a paste would; the toasts are the extension
  // suite's subject (and VS Code may hold a third one back while two are showing).
  await workbench.setClipboard('');
  await workbench.runCommand('ModAPI: Copy Gateway URL');
  gatewayUrl = await clipboardMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  await workbench.runCommand('ModAPI: Copy Local Token');
  localToken = await clipboardMatching(/^mk-local-/);
  await workbench.clearNotifications();
});

uiTest('Show Usage on an empty ledger explains the first request, without the token', 60_000, async () => {
  await workbench.runCommand('ModAPI: Show Usage');
  const frame = await usageFrame();
  await frame.locator('.empty-state').waitFor({ timeout: 10_000 });
  assert.equal(await frame.locator('.gateway-url').innerText(), gatewayUrl);
  const curl = await frame.locator('.curl-line').innerText();
  assert.ok(curl.startsWith(`curl ${gatewayUrl}/chat/completions -H "Authorization: Bearer $MODAPI_TOKEN"`), curl);
  assert.ok(!(await frame.locator('body').innerText()).includes(localToken), 'the token is never shown');
  assert.match(await frame.locator('.budgets').innerText(), /Daily budget \(all clients\)\s*\$0\.00 of \$1\.45 \(0%\)/);
  await workbench.screenshot('usage-empty-state');
});

uiTest('requests through the gateway appear live, within a second, with exact totals, chart and rows', 60_000, async () => {
  const frame = await usageFrame();
  await askOk('gpt-4o-mini');
  await askOk('gpt-4o');
  await askOk('gpt-4o-mini', true);
  const shownBy = Date.now() + 1_000;
  await frame.locator('.requests-table tbody tr').nth(2).waitFor({ timeout: Math.max(1, shownBy - Date.now()) });
  // Totals for today: three requests of 1,000 tokens in, 200 out, $0.25 each.
  await frame.locator('[data-period="today"] [data-stat="requests"] dd', { hasText: '3' }).waitFor({ timeout: 2_000 });
  assert.equal(await stat(frame, 'today', 'prompt-tokens'), '3,000');
  assert.equal(await stat(frame, 'today', 'completion-tokens'), '600');
  assert.equal(await stat(frame, 'today', 'cost'), '$0.7500');
  assert.equal(await stat(frame, 'month', 'cost'), '$0.7500');
  // The chart, stacked by provider: one layer holding all of it.
  assert.equal(await frame.locator('figure.chart').getAttribute('data-layers'), 'modapi');
  assert.equal(await frame.locator('[data-layer="modapi"] .layer-total').innerText(), '$0.7500');
  assert.equal(await frame.locator('.chart-canvas canvas').count(), 1);
  const rows = await frame.locator('.requests-table tbody tr').evaluateAll((elements) => elements.map((row) => [...row.querySelectorAll('td')].slice(1).map((cell) => cell.textContent)));
  // Newest first: the streamed one, then gpt-4o, then the first.
  assert.deepEqual(rows.map((row) => row.slice(0, 5)), [
    ['default', 'gpt-4o-mini', '200', '1,000 / 200', '$0.2500'],
    ['default', 'gpt-4o', '200', '1,000 / 200', '$0.2500'],
    ['default', 'gpt-4o-mini', '200', '1,000 / 200', '$0.2500'],
  ]);
  assert.match(rows[0]![6]!, /^\d+ ms$|^\d+\.\d+ s$/, 'the stream has a time to first token');
  await workbench.screenshot('usage-live-requests');
});

uiTest('a question in the chat view shows up in the panel too, as the chat-view client', 90_000, async () => {
  await workbench.runCommand('ModAPI: Open Chat');
  const chat = await chatFrame();
  await chat.locator('select.model-select option[value="gpt-4o-mini"]').waitFor({ state: 'attached', timeout: 30_000 });
  await chat.locator('select.model-select').selectOption('gpt-4o-mini');
  await chat.locator('textarea.prompt').fill('count me too');
  await chat.locator('textarea.prompt').press('Enter');
  await chat.locator('article.answer.status-done').waitFor({ timeout: 20_000 });
  const frame = await usageFrame();
  await frame.locator('.requests-table tbody tr', { hasText: 'chat-view' }).waitFor({ timeout: 1_000 });
  assert.equal(await stat(frame, 'today', 'requests'), '4');
  assert.equal(await stat(frame, 'today', 'cost'), '$1.00');
  await frame.getByRole('button', { name: 'Break down by client (local token)' }).click();
  assert.deepEqual(
    await frame.locator('table[data-breakdown="client"] tbody tr').evaluateAll((elements) => elements.map((row) => [row.getAttribute('data-key'), row.querySelector('td')?.textContent, row.querySelector('.cost')?.textContent])),
    [['default', '3', '$0.7500'], ['chat-view', '1', '$0.2500']],
  );
  await workbench.screenshot('usage-chat-view-request');
});

uiTest('the chart switches to layers per model, with each model\'s cost', 30_000, async () => {
  const frame = await usageFrame();
  await frame.getByRole('button', { name: 'Stack the cost chart by model' }).click();
  await frame.locator('figure.chart[data-layers="gpt-4o-mini,gpt-4o"]').waitFor({ timeout: 5_000 });
  assert.equal(await frame.locator('[data-layer="gpt-4o-mini"] .layer-total').innerText(), '$0.7500');
  assert.equal(await frame.locator('[data-layer="gpt-4o"] .layer-total').innerText(), '$0.2500');
  await frame.getByRole('button', { name: 'Break down by model' }).click();
  assert.deepEqual(
    await frame.locator('table[data-breakdown="model"] tbody tr').evaluateAll((elements) => elements.map((row) => [row.getAttribute('data-key'), row.querySelector('.cost')?.textContent])),
    [['gpt-4o-mini', '$0.7500'], ['gpt-4o', '$0.2500']],
  );
  await workbench.screenshot('usage-chart-by-model', { file: 'usage-panel', region: workbench.page.locator('.part.editor') });
});

uiTest('crossing the daily budget\'s warning shows a notification, a status bar hint and a yellow bar', 60_000, async () => {
  const frame = await usageFrame();
  await askOk('gpt-4o');
  // $1.00 of $1.45 was 69%; $1.25 is 86%, past the 80% warning.
  await workbench.notification(/86% of the daily budget of \$1\.45 of this gateway spent/).waitFor({ timeout: 10_000 });
  await workbench.page.locator('.part.statusbar', { hasText: 'Budget 86%' }).waitFor({ timeout: 5_000 });
  await frame.locator('[data-budget="overall|day"][data-state="warning"]').waitFor({ timeout: 5_000 });
  assert.equal(await frame.locator('[data-budget="overall|day"] .budget-numbers').innerText(), '$1.25 of $1.45 (86%)');
  await workbench.screenshot('usage-budget-warning');
});

uiTest('past the cap a request is refused with 429, and a clear notification says so', 60_000, async () => {
  const frame = await usageFrame();
  const refused = await ask('gpt-4o');
  assert.equal(refused.status, 429);
  const body = (await refused.json()) as { error: { code: string } };
  assert.equal(body.error.code, 'budget_exceeded');
  await workbench.notification(/refused \(429 budget_exceeded\): the daily budget \(all clients\) has \$1\.25 of \$1\.45 spent/).waitFor({ timeout: 10_000 });
  await frame.locator('.requests-table tbody tr', { hasText: '429 budget_exceeded' }).waitFor({ timeout: 5_000 });
  await workbench.screenshot('usage-budget-cap-refused');
});

uiTest('the request table exports as CSV through a save dialog', 60_000, async () => {
  await workbench.clearNotifications();
  const frame = await usageFrame();
  await frame.getByRole('button', { name: 'Export the requests that pass the filter as CSV' }).click();
  // code-server's save dialog is VS Code's own quick-input dialog, filled with the suggested path.
  const input = workbench.quickInput.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await workbench.page.waitForFunction(() => (document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value.endsWith('.csv'), undefined, { timeout: 10_000 });
  await workbench.screenshot('usage-export-dialog');
  await workbench.page.keyboard.press('Enter');
  await frame.locator('.notice', { hasText: 'Exported 6 rows' }).waitFor({ timeout: 10_000 });
  const file = readdirSync(workspace).find((name) => /^modapi-usage-requests-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/.test(name));
  assert.ok(file, `a CSV in the workspace (${readdirSync(workspace).join(', ')})`);
  const text = readFileSync(join(workspace, file), 'utf8');
  const rows = csvTexts(text);
  assert.equal(rows.length, 7);
  assert.deepEqual(rows[0]!.slice(0, 6), ['time', 'requestId', 'client', 'endpoint', 'provider', 'model']);
  assert.equal(rows.filter((row) => row.slice(2, 5).join() === 'default,/v1/chat/completions,modapi' && row[5]!.startsWith('gpt-4o')).length, 5, text);
  assert.equal(rows.filter((row) => row[2] === 'chat-view').length, 1, text);
  const errorCode = rows[0]!.indexOf('errorCode');
  assert.equal(rows.filter((row) => row[errorCode] === 'budget_exceeded').length, 1);
  assert.ok(existsSync(join(workspace, file)));
  await workbench.screenshot('usage-exported');
});

uiTest('in a high contrast theme the chart is redrawn in the theme\'s chart colours, with contrast borders', 60_000, async () => {
  const frame = await usageFrame();
  const swatches = (): Promise<string[]> => frame.locator('[data-layer] .swatch').evaluateAll((elements) => elements.map((element) => getComputedStyle(element).backgroundColor));
  const before = await swatches();
  await workbench.runCommand('Preferences: Color Theme');
  await workbench.quickInput.locator('.quick-input-box input').fill('Dark High Contrast');
  await workbench.quickInput.locator('.monaco-list-row.focused', { hasText: 'Dark High Contrast' }).waitFor({ timeout: 10_000 });
  await workbench.page.keyboard.press('Enter');
  await frame.locator('body.vscode-high-contrast').waitFor({ timeout: 15_000 });
  await frame.waitForFunction((previous) => {
    const now = [...document.querySelectorAll('[data-layer] .swatch')].map((element) => getComputedStyle(element).backgroundColor);
    return now.length > 0 && now.join() !== previous;
  }, before.join(), { timeout: 5_000 });
  const palette = await frame.evaluate(() =>
    ['blue', 'orange', 'green', 'purple', 'yellow', 'red'].map((name) => {
      const probe = document.createElement('span');
      probe.style.color = `var(--vscode-charts-${name})`;
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    }),
  );
  for (const color of await swatches()) assert.ok(palette.includes(color), `${color} is one of the theme's chart colours (${palette.join(', ')})`);
  const border = await frame.locator('.card').first().evaluate((element) => getComputedStyle(element).borderTopColor);
  const contrastBorder = await frame.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--vscode-contrastBorder)';
    document.body.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  });
  assert.equal(border, contrastBorder);
  await workbench.screenshot('usage-high-contrast');
});

uiTest('after a window reload the panel is back, with its stacking and its numbers', 120_000, async () => {
  const before = await usageFrame();
  await before.getByRole('button', { name: 'Stack the cost chart by model' }).click();
  const chart = before.locator('figure.chart[data-layers*="gpt-4o"]');
  await chart.waitFor({ timeout: 5_000 });
  const layers = await chart.getAttribute('data-layers');
  const cost = await stat(before, 'today', 'cost');
  await workbench.reloadWindow();
  // The restored tab's webview is made when its editor is laid out; once in a CI run the window
  // came back with the tab active and its editor blank. A user would click the tab: so does this,
  // once, after 30 s. A panel that was not restored has no tab to click, and fails as before.
  const after = await usageFrame(30_000).catch(async () => {
    await workbench.page.locator('.tabs-container .tab', { hasText: 'ModAPI Usage' }).first().click({ timeout: 10_000 });
    return usageFrame(30_000);
  });
  await after.locator(`figure.chart[data-layers="${layers}"]`).waitFor({ timeout: 20_000 });
  assert.equal(await stat(after, 'today', 'cost'), cost);
  await workbench.screenshot('usage-after-reload');
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { FakeUpstream, sendJson, type SeenRequest } from '../support/fake-upstream.js';
import { createProfile, installExtension, portForLater, startCodeServer, type RunningCodeServer } from './support/code-server.js';
import { ensureCodeServer } from './support/install-code-server.js';
import { openBrowser, Workbench } from './support/workbench.js';

/** A repository's `.vscode/settings.json` tries to send the key to a second upstream, lift the
 * budget and allow a browser origin. In a real VS Code (code-server, workspace trust off, so the
 * folder counts as trusted) none of it takes effect: the key and every request go to the user's
 * upstream only, and the person is told once. An upstream's 401 with a command link in its
 * message reaches the notification as a fixed sentence only. */

const ROOT = resolve(__dirname, '../..');
const GOOD_KEY = 'sk-e2e-settings-good-0123456789abcdef';
const WRONG_KEY = 'sk-e2e-settings-wrong-fedcba987654321';
const ANSWER = 'Hello from the user-chosen upstream.';
const HOSTILE_ORIGIN = 'http://evil.test';
/** What an upstream may put in its error message: a link that opens a terminal when clicked. */
const COMMAND_LINK = '[Fix your key](command:workbench.action.terminal.new)';

const models = { object: 'list', data: ['gpt-4o-mini'].map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'modapi' })) };
const authorized = (request: SeenRequest): boolean => request.headers.authorization === `Bearer ${GOOD_KEY}`;
const completion = (model: string) => ({
  id: 'chatcmpl-e2e',
  object: 'chat.completion',
  created: 1_700_000_000,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
});

let userUpstream: FakeUpstream;
/** The one the workspace names: it must never hear from the gateway. */
let workspaceUpstream: FakeUpstream;
let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let workbench: Workbench;
let profileRoot: string;
let workspaceFolder: string;
let gatewayUrl: string;
let localToken = '';

const uiTest = (title: string, timeoutMs: number, body: () => Promise<void>): void => {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean).slice(0, 5).join('-');
  test(title, { timeout: timeoutMs }, () => workbench.step(`settings-${slug}`, body));
};

const writeWorkspaceSettings = (settings: string): void => {
  mkdirSync(join(workspaceFolder, '.vscode'), { recursive: true });
  writeFileSync(join(workspaceFolder, '.vscode/settings.json'), settings);
};

before(async () => {
  userUpstream = await new FakeUpstream()
    .on('GET /v1/models', (request, response) => {
      if (authorized(request)) return sendJson(response, 200, models);
      sendJson(response, 401, { error: { message: `Incorrect API key. ${COMMAND_LINK}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    })
    .on('POST /v1/chat/completions', (request, response) => sendJson(response, authorized(request) ? 200 : 401, completion(request.json().model)))
    .start();
  // Answers like a real provider, so a request that reached it would succeed and go unnoticed.
  workspaceUpstream = await new FakeUpstream()
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, models))
    .on('POST /v1/chat/completions', (request, response) => sendJson(response, 200, completion(request.json().model)))
    .start();

  ensureCodeServer();
  await promisify(execFile)('npm', ['run', 'package'], { cwd: ROOT, timeout: 180_000 });
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-e2e-settings-'));
  const gatewayPort = await portForLater();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}/v1`;
  const profile = createProfile(profileRoot, { 'modapi.baseUrl': userUpstream.url(), 'modapi.gateway.port': gatewayPort, 'modapi.budget.daily': 5 });
  workspaceFolder = profile.workspace;
  // Both spellings VS Code reads: dotted keys (dropped by VS Code for application-scoped
  // settings), and a nested object (not dropped: the extension must ignore it itself).
  writeWorkspaceSettings(`{
  // A repository's settings, written by whoever wrote the repository.
  "modapi.baseUrl": "${workspaceUpstream.url()}",
  "modapi.budget.daily": 0,
  "modapi": { "gateway": { "allowedOrigins": ["${HOSTILE_ORIGIN}"] } },
}
`);
  await installExtension(profile, join(ROOT, 'dist/modapi.vsix'));
  codeServer = await startCodeServer(profile);
  const opened = await openBrowser(codeServer.url);
  browser = opened.browser;
  workbench = new Workbench(opened.page);
}, { timeout: 420_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  await userUpstream?.close();
  await workspaceUpstream?.close();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

const ignoredNotice = () => workbench.notification('from this workspace\'s settings');

const ask = (headers: Record<string, string> = {}) =>
  fetch(`${gatewayUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${localToken}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(15_000),
  });

/** Opens the ModAPI log and returns its text, without whitespace (Monaco wraps lines and renders
 * spaces as no-break spaces), once it holds `expected`. */
const logText = async (expected: RegExp): Promise<string> => {
  await workbench.runCommand('ModAPI: Show Logs');
  const panel = workbench.page.locator('.part.panel');
  await panel.locator('.view-lines', { hasText: expected }).first().waitFor({ timeout: 15_000 });
  return (await panel.innerText()).replace(/\s+/g, '');
};

uiTest('opening the folder: the workspace values are ignored, and a notification says which and why', 90_000, async () => {
  await workbench.open(`${codeServer!.url}/?folder=${encodeURIComponent(workspaceFolder)}`);
  await workbench.page.locator(`.part.statusbar [aria-label*="Gateway running on ${gatewayUrl}"]`).first().waitFor({ timeout: 60_000 });
  const notice = ignoredNotice();
  await notice.waitFor({ timeout: 30_000 });
  const text = await notice.innerText();
  for (const key of ['modapi.baseUrl', 'modapi.budget.daily', 'modapi.gateway.allowedOrigins']) assert.ok(text.includes(key), `the notification names ${key}: ${text}`);
  assert.match(text, /read from your user settings only/);
  await notice.getByRole('button', { name: 'Show Logs' }).waitFor({ timeout: 5_000 });
  await workbench.screenshot('settings-workspace-ignored');
});

uiTest('an upstream 401 with a command link: the notification is a fixed sentence, the details are in the log', 60_000, async () => {
  await workbench.clearNotifications();
  await workbench.runCommand('ModAPI: Set API Key');
  await workbench.answerInput('ModAPI: Set API Key', WRONG_KEY, true);
  await workbench.page.keyboard.press('Enter');
  const error = workbench.notification('ModAPI: the API key was rejected (HTTP 401)');
  await error.waitFor({ timeout: 30_000 });
  await workbench.screenshot('settings-command-link-refused');
  const message = error.locator('.notification-list-item-message');
  const text = await message.innerText();
  assert.ok(!text.includes('Fix your key') && !text.includes('Incorrect API key'), `no upstream text in the notification: ${text}`);
  assert.equal(await message.locator('a').count(), 0, 'no link in the notification');
  assert.ok(userUpstream.requests.some((request) => request.headers.authorization === `Bearer ${WRONG_KEY}`), 'the key was checked against the user\'s upstream');
  await error.getByRole('button', { name: 'Show Logs' }).click();
  const log = await logText(/The\sprovider\ssaid/);
  assert.ok(log.includes(`IncorrectAPIkey.${COMMAND_LINK.replace(/\s+/g, '')}`), 'the log keeps what the upstream said, as plain text');
  assert.ok(!log.includes(WRONG_KEY), 'never the key');
});

uiTest('the key check and a tool\'s request go to the user\'s upstream, never to the workspace\'s', 60_000, async () => {
  await workbench.clearNotifications();
  await workbench.runCommand('ModAPI: Set API Key');
  await workbench.answerInput('ModAPI: Set API Key', GOOD_KEY, true);
  await workbench.page.keyboard.press('Enter');
  await workbench.notification('ModAPI: API key saved and accepted').waitFor({ timeout: 30_000 });
  await workbench.setClipboard('');
  await workbench.runCommand('ModAPI: Copy Local Token');
  for (let waited = 0; !localToken && waited < 10_000; waited += 100) {
    localToken = await workbench.clipboard();
    if (!localToken) await new Promise((done) => setTimeout(done, 100));
  }
  assert.match(localToken, /^mk-local-/);
  const answer = await ask();
  assert.equal(answer.status, 200);
  assert.equal(((await answer.json()) as ReturnType<typeof completion>).choices[0]?.message.content, ANSWER);
  assert.equal(userUpstream.last().url, '/v1/chat/completions');
  assert.equal(userUpstream.last().headers.authorization, `Bearer ${GOOD_KEY}`);
  assert.equal((await ask({ origin: HOSTILE_ORIGIN })).status, 403, 'the origin the workspace allowed is still refused');
  assert.deepEqual(workspaceUpstream.requests, [], 'the workspace\'s upstream heard nothing, so it never saw a key');
});

uiTest('a later edit of the workspace settings does not take effect either, and is reported', 60_000, async () => {
  await workbench.clearNotifications();
  // The nested spelling gets past the application scope: only reading user values stops it.
  writeWorkspaceSettings(JSON.stringify({ modapi: { baseUrl: workspaceUpstream.url() }, 'modapi.providers': { modapi: { headers: { 'x-leak': 'yes' } } }, 'modapi.retries': 0 }, null, 2));
  const notice = ignoredNotice();
  await notice.waitFor({ timeout: 30_000 });
  assert.match(await notice.innerText(), /modapi\.providers/);
  await workbench.screenshot('settings-later-edit-ignored');
  const before = userUpstream.requests.length;
  assert.equal((await ask()).status, 200);
  assert.equal(userUpstream.requests.length, before + 1);
  assert.equal(userUpstream.last().headers['x-leak'], undefined, 'the workspace\'s headers are not sent');
  assert.deepEqual(workspaceUpstream.requests, []);
});

uiTest('after a reload the workspace is checked again, but the person is not told twice', 90_000, async () => {
  await workbench.page.reload();
  await workbench.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await workbench.page.locator(`.part.statusbar [aria-label*="Gateway running on ${gatewayUrl}"]`).first().waitFor({ timeout: 60_000 });
  // The check logs before it would notify, in the same step.
  const log = await logText(/ignored\sworkspace\svalues/);
  assert.ok(log.includes('modapi.baseUrl(.vscode/settings.json)'), 'the log says which setting and where');
  // Telling follows logging after one write to workspaceState; give it that moment.
  await workbench.page.waitForTimeout(1_500);
  assert.equal(await ignoredNotice().count(), 0, 'told once per workspace');
  assert.equal((await ask()).status, 200);
  assert.deepEqual(workspaceUpstream.requests, []);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Frame } from 'playwright-core';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { ANSWERS, MODEL_IDS, startChatUpstream } from '../chat/chat-upstream.js';
import { createProfile, installExtension, portForLater, startCodeServer, type Profile, type RunningCodeServer } from './support/code-server.js';
import { ensureCodeServer } from './support/install-code-server.js';
import { openBrowser, Workbench } from './support/workbench.js';
import { extensionFilesOutsideChat, filesHolding, updateUserSettings, writeWorkspaceSettings } from './support/quality.js';

/** The chat view in a real VS Code (code-server 4.100.3) in Chromium, against a fake upstream on
 * 127.0.0.1: open it, watch an answer stream in, rate it, regenerate it, stop one, insert code into
 * an editor, compare two models and continue with one (and see the ratings on the usage panel's
 * report card), get an image, survive malicious answers, find the conversation and the report card
 * again after a reload, and a workspace narrowing the models (modapi.workspace.allowedModels).
 * A screenshot per step goes to test-output/e2e (chat-*). */

const ROOT = resolve(__dirname, '../..');
const KEY = 'sk-e2e-chat-key-0123456789abcdef';
const run = promisify(execFile);

let upstream: FakeUpstream;
let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let workbench: Workbench;
let profileRoot: string;
let profile: Profile;
/** Planted in a prompt: no file the extension writes outside its chat storage may hold it. */
const PLANTED = 'planted-e2e-prompt-5d1c0b9e';
let workbenchUrl = '';
let chat: Frame;

const uiTest = (title: string, timeoutMs: number, body: () => Promise<void>): void => {
  const slug = `chat-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean).slice(0, 4).join('-')}`;
  test(title, { timeout: timeoutMs }, () => workbench.step(slug, body));
};

/** The chat webview's document: VS Code nests it in two iframes; it is the frame with the composer. */
const findChatFrame = async (): Promise<Frame> => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const frame of workbench.page.frames()) {
      if (await frame.locator('form.composer').count().catch(() => 0)) return frame;
    }
    await workbench.page.waitForTimeout(250);
  }
  throw new Error('the chat view did not render');
};

const send = async (text: string, model?: string): Promise<void> => {
  if (model) await chat.locator('select.model-select').selectOption(model);
  await chat.locator('textarea.prompt').fill(text);
  await chat.locator('textarea.prompt').press('Enter');
};

const lastAnswer = () => chat.locator('article.answer').last();

/** Sends, then waits until a new answer has appeared and finished. */
const sendAndWait = async (text: string, model?: string): Promise<void> => {
  const before = await chat.locator('article.answer').count();
  await send(text, model);
  await chat.waitForFunction(
    (count) => {
      const answers = document.querySelectorAll('article.answer');
      return answers.length > count && !answers[answers.length - 1]!.classList.contains('status-streaming');
    },
    before,
    { timeout: 20_000 },
  );
};

before(async () => {
  // A catalog of 600 models: the six the steps use and hundreds more.
  upstream = await startChatUpstream(Array.from({ length: 600 - MODEL_IDS.length }, (_, index) => `acme-${index}-chat`));
  ensureCodeServer();
  // Packaged like the release (.vsix), to a file of this suite's own.
  const vsixFolder = mkdtempSync(join(tmpdir(), 'modapi-chat-vsix-'));
  const vsix = join(vsixFolder, 'modapi.vsix');
  await run('node', ['esbuild.js', '--production'], { cwd: ROOT, timeout: 180_000 });
  await run(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: ROOT, timeout: 180_000 });
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-chat-e2e-'));
  profile = createProfile(profileRoot, { 'modapi.baseUrl': upstream.url(), 'modapi.gateway.port': await portForLater() });
  await installExtension(profile, vsix);
  rmSync(vsixFolder, { recursive: true, force: true });
  codeServer = await startCodeServer(profile);
  const opened = await openBrowser(codeServer.url);
  browser = opened.browser;
  workbench = new Workbench(opened.page);
  workbenchUrl = `${codeServer.url}/?folder=${encodeURIComponent(profile.workspace)}`;
}, { timeout: 420_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  await upstream?.close();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

uiTest('the key is set and "ModAPI: Open Chat" opens the chat view in the activity bar', 120_000, async () => {
  await workbench.open(workbenchUrl);
  await workbench.statusItem().waitFor({ timeout: 60_000 });
  await workbench.runCommand('ModAPI: Set API Key');
  await workbench.answerInput('ModAPI: Set API Key', KEY, true);
  await workbench.page.keyboard.press('Enter');
  await workbench.notification('ModAPI: API key saved and accepted').waitFor({ timeout: 30_000 });
  await workbench.runCommand('ModAPI: Open Chat');
  chat = await findChatFrame();
  await chat.locator('select.model-select option[value="gpt-4o"]').waitFor({ state: 'attached', timeout: 30_000 });
  const offered = await chat.locator('select.model-select option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
  assert.ok(offered.includes('gpt-image-1'));
  assert.ok(!offered.includes('text-embedding-3-small'), 'a model that cannot chat or generate is not offered');
  assert.ok(await workbench.page.locator('.activitybar [aria-label^="ModAPI"]').first().isVisible());
  await workbench.screenshot('chat-view-open');
});

uiTest('a prompt to the fake upstream streams its answer in, rendered as markdown with its figures', 60_000, async () => {
  await send('Write an add function', 'gpt-4o');
  // Read in the page, in one step: the answer may finish between a wait and a separate read.
  const partialText = await chat.waitForFunction(() => (document.querySelector('article.answer.status-streaming .markdown') as HTMLElement | null)?.innerText || false, undefined, { timeout: 15_000 });
  const partial = (await partialText.jsonValue()) as string;
  await workbench.screenshot('chat-streaming');
  await chat.locator('article.answer.status-done .code-block').waitFor({ timeout: 20_000 });
  const final = await lastAnswer().locator('.markdown').innerText();
  assert.ok(partial.length < final.length, `the answer arrived in pieces (${partial.length} then ${final.length} characters)`);
  assert.equal(await lastAnswer().locator('.markdown strong').innerText(), 'two');
  assert.ok((await lastAnswer().locator('.code-block .hljs-keyword').count()) > 0, 'code is highlighted');
  assert.match(await lastAnswer().locator('.answer-metrics').innerText(), /^gpt-4o · 12 in \/ \d+ out tokens · \$[\d.]+ · first token \d+ ms · total [\d.]+ (ms|s) · [\d.]+ tok\/s$/);
  assert.equal(upstream.last().headers.authorization, `Bearer ${KEY}`);
  await workbench.screenshot('chat-answer', { file: 'chat-answer', region: workbench.page.locator('.part.sidebar') });
});

uiTest('an answer is rated up, the rating changed to down, then regenerated', 60_000, async () => {
  const answer = lastAnswer();
  const ratedId = await answer.getAttribute('data-answer-id');
  await answer.getByRole('button', { name: /^Good answer from gpt-4o/ }).click();
  await answer.locator('button.rate[data-rating="up"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
  await answer.getByRole('button', { name: /^Bad answer from gpt-4o/ }).click();
  await answer.locator('button.rate[data-rating="down"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
  assert.equal(await answer.locator('button.rate[data-rating="up"]').getAttribute('aria-pressed'), 'false');
  await workbench.screenshot('chat-rated');
  const asked = upstream.requests.length;
  await answer.getByRole('button', { name: 'Regenerate the answer from gpt-4o' }).click();
  await chat.waitForFunction((id) => {
    const last = [...document.querySelectorAll('article.answer')].at(-1);
    return last !== undefined && last.getAttribute('data-answer-id') !== id && last.classList.contains('status-done');
  }, ratedId, { timeout: 20_000 });
  assert.equal(upstream.requests.length, asked + 1);
  assert.equal(await lastAnswer().locator('button.rate[aria-pressed="true"]').count(), 0, 'the new answer is not rated');
});

uiTest('Stop ends an answer mid-stream and keeps what arrived', 60_000, async () => {
  await send('Talk slowly', 'slow-model');
  await chat.waitForFunction(() => (document.querySelector('article.answer.status-streaming .markdown')?.textContent ?? '').length > 40, undefined, { timeout: 20_000 });
  await chat.getByRole('button', { name: 'Stop the answer (Escape)' }).click();
  await chat.locator('article.answer.status-stopped').waitFor({ timeout: 10_000 });
  assert.match(await lastAnswer().innerText(), /Stopped/);
  assert.ok((await lastAnswer().locator('.markdown').innerText()).length > 40);
  await workbench.screenshot('chat-stopped');
});

uiTest('Insert puts a code block at the cursor of an editor; New file opens it in one', 60_000, async () => {
  // Not runCommand: its first matching row would be "File: Compare New Untitled Text Files".
  await workbench.page.keyboard.press('F1');
  await workbench.quickInput.locator('.quick-input-box input').fill('>File: New Untitled Text File');
  await workbench.quickInput.locator('.monaco-list-row').filter({ hasText: /^File: New Untitled Text File(?!s)/ }).first().click();
  const editor = workbench.page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ timeout: 10_000 });
  const code = /```typescript\n([\s\S]*?)```/.exec(ANSWERS['gpt-4o']!)![1]!.trim();
  await chat.locator('article.answer.status-done .code-block [data-action="insert-code"]').first().click();
  const visibleCode = () => workbench.page.locator('.editor-instance .view-lines:visible', { hasText: 'export const add' }).first();
  await visibleCode().waitFor({ timeout: 10_000 });
  assert.equal((await visibleCode().innerText()).replace(/\u00a0/g, ' ').trim(), code);
  await workbench.screenshot('chat-code-inserted');
  const tabs = await workbench.page.locator('.tabs-container .tab').count();
  await chat.locator('article.answer.status-done .code-block [data-action="open-code"]').first().click();
  await workbench.page.waitForFunction((count) => document.querySelectorAll('.tabs-container .tab').length > count, tabs, { timeout: 10_000 });
  await visibleCode().waitFor({ timeout: 10_000 });
  assert.equal((await visibleCode().innerText()).replace(/\u00a0/g, ' ').trim(), code);
  await workbench.screenshot('chat-code-new-file');
});

uiTest('compare sends one prompt to two models side by side; choosing one continues with it', 60_000, async () => {
  // Widen the sidebar by its sash, as a person comparing answers would.
  const sidebar = await workbench.page.locator('.part.sidebar').boundingBox();
  if (sidebar) {
    await workbench.page.mouse.move(sidebar.x + sidebar.width + 1, sidebar.y + 300);
    await workbench.page.mouse.down();
    await workbench.page.mouse.move(sidebar.x + sidebar.width + 420, sidebar.y + 300, { steps: 8 });
    await workbench.page.mouse.up();
  }
  await chat.locator('#compare-toggle').check();
  const slots = chat.locator('.compare-models select');
  await slots.nth(0).selectOption('gpt-4o');
  await slots.nth(1).selectOption('claude-sonnet-4-5');
  await send(`Which add is better? ${PLANTED}`);
  await chat.waitForFunction(() => document.querySelectorAll('.turn.compare article.answer.status-done').length === 2, undefined, { timeout: 30_000 });
  const columns = await chat.locator('.turn.compare article.answer').evaluateAll((answers) => answers.map((answer) => answer.getBoundingClientRect().top));
  assert.equal(columns[0], columns[1], 'the answers stand side by side');
  const figures = await chat.locator('.turn.compare .answer-metrics').allInnerTexts();
  assert.equal(figures.length, 2);
  assert.match(figures[0]!, /^gpt-4o · .* first token \d+ ms · .* tok\/s$/);
  assert.match(figures[1]!, /^claude-sonnet-4-5 · .* first token \d+ ms · .* tok\/s$/);
  await workbench.screenshot('chat-compare', { file: 'chat-compare', region: workbench.page.locator('.part.sidebar') });
  await chat.locator('.turn.compare article.answer').nth(1).getByRole('button', { name: 'Continue the conversation with claude-sonnet-4-5' }).click();
  await workbench.page.locator('[aria-label^="ModAPI model claude-sonnet-4-5"]').first().waitFor({ timeout: 10_000 });
  await chat.locator('#compare-toggle').uncheck();
  await sendAndWait('Go on');
  const continued = upstream.requests.filter((request) => request.url === '/v1/chat/completions').at(-1)!.json();
  assert.equal(continued.model, 'claude-sonnet-4-5');
  assert.equal(continued.messages.at(-2).content, ANSWERS['claude-sonnet-4-5']);
  await workbench.screenshot('chat-compare-chosen');
});

/** One cell of the usage panel's report card. */
const cardCell = async (model: string, column: string): Promise<string> => {
  const usage = await workbench.frameWith('h1.title', 'ModAPI Usage', 30_000);
  const cell = usage.locator(`.card-table tr[data-model="${model}"] td[data-column="${column}"]`);
  await cell.waitFor({ timeout: 20_000 });
  return cell.innerText();
};

const expectRatingsOnTheCard = async (): Promise<void> => {
  // Thumbs: one down on a gpt-4o answer; Compare: claude-sonnet-4-5 won once over gpt-4o, one
  // comparison each, under the minimum: the count, no rate.
  assert.equal(await cardCell('gpt-4o', 'thumbsUpShare'), '0% of 1');
  assert.equal(await cardCell('gpt-4o', 'winRate'), '1 (under 5)');
  assert.equal(await cardCell('claude-sonnet-4-5', 'winRate'), '1 (under 5)');
  assert.ok(Number(await cardCell('gpt-4o', 'requests')) >= 3);
};

uiTest('the usage panel\'s report card shows the ratings; no file the extension wrote outside its chat storage holds the prompt', 60_000, async () => {
  await workbench.runCommand('ModAPI: Show Usage');
  await expectRatingsOnTheCard();
  await workbench.screenshot('chat-report-card');
  const files = extensionFilesOutsideChat(profile);
  assert.ok(files.some((path) => path.endsWith('ratings.jsonl')), `the ratings are among the files searched: ${files.join(', ')}`);
  assert.ok(files.some((path) => /usage-\d{4}-\d{2}\.jsonl$/.test(path)), 'the ledger is among them');
  assert.deepEqual(filesHolding(files, PLANTED), []);
  assert.deepEqual(filesHolding(files, 'def add(a, b)'), [], 'nor an answer');
  await workbench.runCommand('ModAPI: Open Chat');
});

uiTest('the searchable chooser finds one of 600 models in a few letters, narrows by modality, shows quality figures', 60_000, async () => {
  await chat.getByRole('button', { name: 'Search every model by name, provider or modality' }).click();
  const input = workbench.quickInput.locator('.quick-input-box input');
  const title = workbench.quickInput.locator('.quick-input-title');
  await title.filter({ hasText: 'ModAPI: Model for the chat · All models' }).waitFor({ timeout: 15_000 });
  const rows = workbench.quickInput.locator('.monaco-list-row');
  await rows.first().waitFor({ timeout: 15_000 });
  const started = Date.now();
  await input.fill('acme-417');
  await rows.filter({ hasText: 'acme-417-chat' }).waitFor({ timeout: 15_000 });
  const elapsed = Date.now() - started;
  // The filtering is VS Code's own quick pick: the bound, generous for a loaded machine, catches a
  // chooser that stalls, not a slow one.
  assert.ok(elapsed < 10_000, `found in ${elapsed} ms`);
  assert.equal(await rows.filter({ hasText: 'acme-' }).count(), 1, 'a few letters single it out');
  await input.fill('gpt-4o');
  const gpt4o = rows.filter({ hasText: 'thumbs up 0% of 1' });
  await gpt4o.waitFor({ timeout: 5_000 });
  assert.match(await gpt4o.innerText(), /1 comparison \(too few for a win rate\)/);
  await input.fill('image:');
  await title.filter({ hasText: 'Image models' }).waitFor({ timeout: 5_000 });
  assert.equal(await input.inputValue(), '', 'the prefix became the filter');
  await rows.filter({ hasText: 'gpt-image-1' }).first().waitFor({ timeout: 5_000 });
  assert.equal(await rows.filter({ hasText: 'acme-' }).count(), 0, 'no chat model under the image filter');
  await workbench.screenshot('chat-chooser-image');
  // Typed as a person types: the prefix, then the letters.
  await input.fill('all:');
  await title.filter({ hasText: 'All models' }).waitFor({ timeout: 5_000 });
  await input.pressSequentially('acme-417');
  await workbench.quickInput.locator('.monaco-list-row.focused', { hasText: 'acme-417-chat' }).waitFor({ timeout: 5_000 });
  await workbench.page.keyboard.press('Enter');
  await chat.waitForFunction(() => (document.querySelector('select.model-select') as HTMLSelectElement | null)?.value === 'acme-417-chat', undefined, { timeout: 10_000 });
});

uiTest('an image model returns an image shown in the view, with Save to workspace', 60_000, async () => {
  await sendAndWait('A blue square', 'gpt-image-1');
  const image = chat.locator('img.generated-image').last();
  await image.waitFor({ timeout: 20_000 });
  assert.equal(await image.evaluate((element) => (element as HTMLImageElement).naturalWidth), 48);
  assert.ok(await chat.getByRole('button', { name: 'Save the image to the workspace' }).last().isVisible());
  assert.equal(upstream.last().json().response_format, 'b64_json');
  await workbench.screenshot('chat-image');
});

uiTest('a malicious answer (script, onerror, javascript: links, raw HTML) runs nothing', 60_000, async () => {
  await sendAndWait('Be evil', 'evil-model');
  const answer = lastAnswer().locator('.markdown');
  await answer.locator('p', { hasText: 'raw html' }).click();
  await answer.locator('p', { hasText: 'click me' }).click();
  await workbench.page.waitForTimeout(300);
  assert.equal(await chat.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  assert.equal(await workbench.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  assert.equal(await answer.locator('script, img, iframe, svg, [onerror], [onclick], [onload], a[href^="javascript"]').count(), 0);
  assert.match(await answer.innerText(), /<script>window.__pwned = "script"<\/script>/);
  await workbench.screenshot('chat-malicious');
});

uiTest('conversations persist across a reload and are listed, with their answers', 120_000, async () => {
  await workbench.page.reload();
  await workbench.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // A fresh extension host: wait until the extension is active again.
  await workbench.statusItem().waitFor({ timeout: 60_000 });
  await workbench.runCommand('ModAPI: Open Chat');
  chat = await findChatFrame();
  await chat.getByRole('button', { name: 'Show saved conversations' }).click();
  const entry = chat.getByRole('button', { name: 'Open conversation Write an add function' });
  await entry.waitFor({ timeout: 20_000 });
  await entry.click();
  await chat.locator('article.answer .code-block').first().waitFor({ timeout: 10_000 });
  assert.ok((await chat.locator('article.answer').count()) >= 6);
  await workbench.screenshot('chat-persisted');
});

uiTest('after the reload, the report card still shows the ratings', 60_000, async () => {
  await workbench.runCommand('ModAPI: Show Usage');
  await expectRatingsOnTheCard();
  await workbench.screenshot('chat-report-card-reloaded');
  await workbench.runCommand('ModAPI: Open Chat');
});

uiTest('a conversation is renamed through an input box and deleted after a confirmation', 60_000, async () => {
  if ((await chat.locator('nav.conversations').count()) === 0) await chat.getByRole('button', { name: 'Show saved conversations' }).click();
  await chat.getByRole('button', { name: 'Rename conversation Write an add function' }).click();
  await workbench.answerInput('Rename conversation', 'Adding numbers');
  await workbench.page.keyboard.press('Enter');
  await chat.getByRole('button', { name: 'Open conversation Adding numbers' }).waitFor({ timeout: 10_000 });
  assert.equal(await chat.locator('h1.title').innerText(), 'Adding numbers');
  await workbench.screenshot('chat-renamed');
  await chat.getByRole('button', { name: 'Delete conversation Adding numbers' }).click();
  const dialog = workbench.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 10_000 });
  assert.match(await dialog.innerText(), /Delete the conversation "Adding numbers"\?/);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await chat.getByRole('button', { name: 'Open conversation Adding numbers' }).waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await chat.locator('article.answer').count(), 0, 'the deleted conversation is no longer shown');
  await workbench.screenshot('chat-deleted');
});

/** The distinct models the view's chooser offers. */
const offeredModels = (): Promise<string[]> => chat.locator('select.model-select option').evaluateAll((options) => [...new Set(options.map((option) => (option as HTMLOptionElement).value))].sort());

const waitForOffered = async (expected: string[]): Promise<void> => {
  await chat.waitForFunction((wanted) => {
    const values = [...new Set([...document.querySelectorAll('select.model-select option')].map((option) => (option as HTMLOptionElement).value))].sort();
    return JSON.stringify(values) === JSON.stringify(wanted);
  }, [...expected].sort(), { timeout: 30_000 });
};

uiTest('a workspace setting modapi.workspace.allowedModels narrows the chooser; another model is refused, naming the setting and the folder', 90_000, async () => {
  writeWorkspaceSettings(profile, { 'modapi.workspace.allowedModels': ['gpt-4o'] });
  await waitForOffered(['gpt-4o']);
  await chat.locator('#compare-toggle').check();
  assert.deepEqual(await chat.locator('.compare-models select').first().locator('option').evaluateAll((options) => [...new Set(options.map((option) => (option as HTMLOptionElement).value))]), ['gpt-4o']);
  await chat.locator('#compare-toggle').uncheck();
  await workbench.screenshot('chat-allowed-models');
  // Another model asked for through the view's protocol: the page is made to send it anyway.
  const asked = upstream.requests.length;
  await chat.evaluate(() => {
    const select = document.querySelector('select.model-select') as HTMLSelectElement;
    select.add(new Option('claude-sonnet-4-5', 'claude-sonnet-4-5'));
    select.value = 'claude-sonnet-4-5';
    select.dispatchEvent(new Event('change'));
  });
  await chat.locator('textarea.prompt').fill('Send this to claude');
  await chat.locator('textarea.prompt').press('Enter');
  const refusal = 'The model claude-sonnet-4-5 is not allowed here: "modapi.workspace.allowedModels" in the folder "workspace" (.vscode/settings.json) allows only gpt-4o.';
  await chat.waitForFunction(() => document.querySelectorAll('.notice.error').length >= 2, undefined, { timeout: 10_000 });
  const notices = await chat.locator('.notice.error span').allInnerTexts();
  assert.ok(notices.length >= 2, 'the choice and the send are both refused');
  for (const notice of notices) assert.equal(notice, refusal);
  assert.equal(upstream.requests.length, asked, 'nothing reached the upstream');
  await workbench.screenshot('chat-allowed-models-refused');
});

uiTest('with the user\'s own value too, only models matching both are offered', 60_000, async () => {
  writeWorkspaceSettings(profile, { 'modapi.workspace.allowedModels': ['gpt-4o', 'claude-sonnet-4-5', 'gpt-image-1'] });
  updateUserSettings(profile, { 'modapi.workspace.allowedModels': ['claude-*', 'gpt-4o'] });
  await waitForOffered(['claude-sonnet-4-5', 'gpt-4o']);
  assert.deepEqual(await offeredModels(), ['claude-sonnet-4-5', 'gpt-4o']);
});

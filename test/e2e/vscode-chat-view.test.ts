import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { FakeUpstream, sendEvents, sendJson, type SeenRequest } from '../support/fake-upstream.js';
import { createProfile, installExtension, portForLater, startCodeServer, type RunningCodeServer } from './support/code-server.js';
import { CODE_SERVER_4_139, ensureCodeServer } from './support/install-code-server.js';
import { openBrowser, Workbench } from './support/workbench.js';

/** VS Code's own Chat view (code-server 4.139.1, VS Code 1.139 with its chat built in, on Node 24)
 * used as a person would, offline with `chat.allowAnonymousAccess`: set the ModAPI key, pick a
 * ModAPI model in the chat's model picker, ask, see the streamed answer; in agent mode the model
 * asks for a workspace file, VS Code reads it, and the follow-up carries it to the upstream; Stop
 * aborts the upstream request; the usage panel lists those requests under `vscode-chat`. Part of
 * `npm test` (its first run installs code-server 4.139.1 and Node 24 into .cache/, a few minutes);
 * alone: `npm run test:vscode-chat`. */

const ROOT = resolve(__dirname, '../..');
const KEY = 'sk-vscode-chat-e2e-0123456789abcdef';
const run = promisify(execFile);
const README = '# e2e workspace';

let upstream: FakeUpstream;
let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let workbench: Workbench;
let profileRoot: string;
let workspace: string;
/** How the slow answer ended: read to its end, or its connection closed by the gateway. */
let slowAnswer: 'streaming' | 'finished' | 'aborted' | undefined;
const SLOW_WORDS = Array.from({ length: 60 }, (_, index) => ` word${index}`);

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-vscode-chat', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const answer = (response: ServerResponse, words: string[]): Promise<void> =>
  sendEvents(response, [chunk({ role: 'assistant', content: '' }), ...words.map((word) => chunk({ content: word })), chunk({}, 'stop'), 'data: [DONE]\n\n'], 80);

const lastMessage = (request: SeenRequest): { role: string; content: unknown } => request.json().messages.at(-1);
const promptOf = (request: SeenRequest): string => JSON.stringify(lastMessage(request).content);

before(async () => {
  upstream = await new FakeUpstream()
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: ['gpt-4o-mini', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created: 1, owned_by: 'fake' })) }))
    .on('POST /v1/chat/completions', async (request, response) => {
      const body = request.json();
      const readFile = body.tools?.some((tool: { function: { name: string } }) => tool.function.name === 'read_file');
      if (promptOf(request).includes('slowly')) {
        slowAnswer = 'streaming';
        await sendEvents(response, [chunk({ role: 'assistant', content: 'Counting:' }), ...SLOW_WORDS.map((word) => chunk({ content: word })), chunk({}, 'stop'), 'data: [DONE]\n\n'], 150);
        slowAnswer = response.destroyed ? 'aborted' : 'finished';
      } else if (lastMessage(request).role === 'tool') await answer(response, ['The README', ' says: ', 'e2e workspace.']);
      else if (readFile && promptOf(request).includes('README')) {
        const filePath = join(workspace, 'README.md');
        await sendEvents(response, [
          chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_readme', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify({ filePath, startLine: 1, endLine: 20 }) } }] }),
          chunk({}, 'tool_calls'),
          'data: [DONE]\n\n',
        ]);
      } else await answer(response, ['Hello', ' from', ' ModAPI', '.']);
    })
    .start();
  const install = ensureCodeServer(CODE_SERVER_4_139);
  const vsixFolder = mkdtempSync(join(tmpdir(), 'modapi-vscode-chat-vsix-'));
  const vsix = join(vsixFolder, 'modapi.vsix');
  await run('node', ['esbuild.js', '--production'], { cwd: ROOT, timeout: 180_000 });
  await run(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: ROOT, timeout: 180_000 });
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-vscode-chat-'));
  const profile = createProfile(profileRoot, { 'modapi.baseUrl': upstream.url(), 'modapi.gateway.port': await portForLater(), 'chat.allowAnonymousAccess': true });
  workspace = profile.workspace;
  // Installed from its .vsix as a user would (4.139 ignores a development path in the page URL).
  await installExtension(profile, vsix, install);
  rmSync(vsixFolder, { recursive: true, force: true });
  codeServer = await startCodeServer(profile, install);
  const opened = await openBrowser(codeServer.url);
  browser = opened.browser;
  workbench = new Workbench(opened.page);
  await workbench.open(`${codeServer.url}/?folder=${encodeURIComponent(workspace)}`);
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  await upstream?.close();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

const uiTest = (title: string, timeoutMs: number, body: () => Promise<void>): void => {
  const slug = `vscode-chat-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').split('-').filter(Boolean).slice(0, 4).join('-')}`;
  test(title, { timeout: timeoutMs }, () => workbench.step(slug, body));
};

const chatInput = () => workbench.page.locator('.interactive-input-part').first();

const ask = async (prompt: string): Promise<void> => {
  await chatInput().locator('.monaco-editor .view-lines').first().click();
  await workbench.page.keyboard.type(prompt);
  await workbench.page.keyboard.press('Enter');
};

uiTest('the key is set as a user does, and VS Code\'s chat model picker offers the ModAPI models', 120_000, async () => {
  await workbench.statusItem().waitFor({ timeout: 60_000 });
  await workbench.runCommand('ModAPI: Set API Key');
  await workbench.answerInput('ModAPI: Set API Key', KEY, true);
  await workbench.page.keyboard.press('Enter');
  await workbench.notification('ModAPI: API key saved').waitFor({ timeout: 30_000 });
  await workbench.clearNotifications();
  await chatInput().waitFor({ timeout: 30_000 });
  await chatInput().locator('.model-picker-name').first().click();
  const row = workbench.page.locator('.monaco-list-row', { hasText: 'GPT-4o mini' }).first();
  await row.waitFor({ timeout: 20_000 });
  assert.match(await row.innerText(), /modapi/);
  assert.equal(await workbench.page.locator('.monaco-list-row', { hasText: 'text-embedding-3-small' }).count(), 0, 'an embedding model is not offered to chat');
  await workbench.screenshot('vscode-chat-model-picker');
  await row.click();
  await chatInput().locator('.model-picker-name', { hasText: 'GPT-4o mini' }).waitFor({ timeout: 10_000 });
});

uiTest('a prompt in VS Code\'s Chat view streams the ModAPI answer from the fake upstream', 90_000, async () => {
  await ask('Say hello');
  await workbench.page.locator('.interactive-response', { hasText: 'Hello from ModAPI.' }).first().waitFor({ timeout: 30_000 });
  const request = upstream.requests.filter((seen) => seen.url.endsWith('/chat/completions')).at(-1)!;
  assert.equal(request.headers.authorization, `Bearer ${KEY}`);
  assert.equal(request.json().messages[0].role, 'system', 'VS Code\'s system prompt (role 3) arrives as a system message');
  assert.ok(request.json().tools.length > 0, 'agent mode sends its tools');
  await workbench.screenshot('vscode-chat-answer', { file: 'vscode-chat', region: workbench.page.locator('.part.auxiliarybar') });
});

uiTest('in agent mode the model reads a workspace file through VS Code, and the result reaches the upstream', 120_000, async () => {
  const before = upstream.requests.length;
  await ask('What does README.md say?');
  await workbench.page.locator('.interactive-response', { hasText: 'says: e2e workspace.' }).first().waitFor({ timeout: 60_000 });
  const followUp = upstream.requests.slice(before).find((seen) => seen.url.endsWith('/chat/completions') && lastMessage(seen).role === 'tool');
  assert.ok(followUp, 'a follow-up request carried the tool result');
  const toolMessage = lastMessage(followUp) as { role: string; content: string; tool_call_id?: string };
  assert.equal(followUp.json().messages.at(-1).tool_call_id, 'call_readme');
  assert.ok(String(toolMessage.content).includes(README), `the tool result holds the file (${String(toolMessage.content).slice(0, 200)})`);
  await workbench.screenshot('vscode-chat-agent-tool');
});

uiTest('Stop in VS Code\'s chat aborts the upstream request at once', 60_000, async () => {
  await ask('Count slowly');
  await workbench.page.locator('.interactive-response', { hasText: 'word1' }).first().waitFor({ timeout: 30_000 });
  const stopped = Date.now();
  await chatInput().locator('a.action-label[aria-label^="Cancel"], a.action-label[aria-label^="Stop"]').first().click();
  const deadline = Date.now() + 5_000;
  while (slowAnswer === 'streaming' && Date.now() < deadline) await workbench.page.waitForTimeout(50);
  assert.equal(slowAnswer, 'aborted', 'the upstream connection was closed before the answer ended');
  // The slow answer runs about 9 s: closed well before that is at once (the click itself is inside).
  assert.ok(Date.now() - stopped < 4_000, `closed ${Date.now() - stopped} ms after Stop`);
  await workbench.screenshot('vscode-chat-stopped');
});

uiTest('the usage panel lists the chat\'s requests under vscode-chat', 60_000, async () => {
  await workbench.runCommand('ModAPI: Show Usage');
  const frame = await workbench.frameWith('h1.title', 'ModAPI Usage');
  await frame.locator('.requests-table tbody tr', { hasText: 'vscode-chat' }).first().waitFor({ timeout: 20_000 });
  const rows = await frame.locator('.requests-table tbody tr', { hasText: 'vscode-chat' }).count();
  assert.ok(rows >= 3, `${rows} rows for vscode-chat`);
  await workbench.screenshot('vscode-chat-usage');
});

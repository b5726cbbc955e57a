import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { createProfile, startCodeServer, type RunningCodeServer } from './support/code-server.js';
import { runExtensionTests } from './support/extension-tests.js';
import { CODE_SERVER_4_104, ensureCodeServer } from './support/install-code-server.js';
import { openBrowser } from './support/workbench.js';

/** ModAPI's language model provider through VS Code's own `vscode.lm` API (selectChatModels,
 * sendRequest, countTokens), in code-server 4.104.0 (VS Code 1.104, the first with the provider
 * API) on Node 22, against a fake upstream on 127.0.0.1. The first run installs both into .cache. */

const ROOT = resolve(__dirname, '../..');
const SUITE = join(ROOT, 'dist/test/language-models-suite.js');

let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let profileRoot: string;

before(async () => {
  const install = ensureCodeServer(CODE_SERVER_4_104);
  if (!existsSync(join(ROOT, 'dist/extension.js'))) execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT });
  await build({ entryPoints: [join(ROOT, 'test/vscode/suite/language-models-index.ts')], outfile: SUITE, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-lm-'));
  codeServer = await startCodeServer(createProfile(profileRoot, { 'modapi.gateway.port': 0 }), install);
  browser = (await openBrowser(codeServer.url)).browser;
}, { timeout: 600_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

test('VS Code 1.104 lists ModAPI models in vscode.lm and answers through the gateway', { timeout: 150_000 }, async () => {
  const page = browser!.contexts()[0]!.pages()[0]!;
  const run = await runExtensionTests(page, codeServer!, join(profileRoot, 'workspace'), ROOT, SUITE, 120_000);
  const results = run.lines.filter((line) => /^\s*[✔✖]|passed, \d+ failed/.test(line));
  assert.equal(run.exitCode, 0, run.lines.join('\n'));
  assert.ok(results.some((line) => line.trim() === '6 passed, 0 failed'), results.join('\n'));
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { createProfile, startCodeServer, type RunningCodeServer } from './support/code-server.js';
import { runExtensionTests } from './support/extension-tests.js';
import { ensureCodeServer } from './support/install-code-server.js';
import { openBrowser } from './support/workbench.js';

/** The `npm run test:vscode` integration suite (test/vscode/suite), run here in code-server's
 * extension host instead of a downloaded desktop VS Code: same `run()` entry, same real API. */

const ROOT = resolve(__dirname, '../..');
const SUITE = join(ROOT, 'dist/test/vscode-suite.js');

let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let profileRoot: string;

before(async () => {
  ensureCodeServer();
  if (!existsSync(join(ROOT, 'dist/extension.js'))) execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT });
  await build({ entryPoints: [join(ROOT, 'test/vscode/suite/index.ts')], outfile: SUITE, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
  profileRoot = mkdtempSync(join(tmpdir(), 'modapi-suite-'));
  codeServer = await startCodeServer(createProfile(profileRoot, { 'modapi.gateway.port': 0 }));
  browser = (await openBrowser(codeServer.url)).browser;
}, { timeout: 240_000 });

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  if (profileRoot) rmSync(profileRoot, { recursive: true, force: true });
});

test('the integration suite passes in the extension host of a real VS Code', { timeout: 120_000 }, async () => {
  const page = browser!.contexts()[0]!.pages()[0]!;
  const run = await runExtensionTests(page, codeServer!, join(profileRoot, 'workspace'), ROOT, SUITE, 100_000);
  const results = run.lines.filter((line) => /^\s*[✔✖]|passed, \d+ failed/.test(line));
  assert.equal(run.exitCode, 0, results.join('\n'));
  assert.ok(results.some((line) => /^\d+ passed, 0 failed$/.test(line.trim())), results.join('\n'));
  assert.ok(results.filter((line) => line.includes('✔')).length >= 7, results.join('\n'));
});

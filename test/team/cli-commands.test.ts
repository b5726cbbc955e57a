import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { teamServersAvailable, TestPostgres } from '../support/team-servers.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const available = teamServersAvailable();
let postgres: TestPostgres;
let home: string;

before(async () => {
  assert.ok(available, 'postgresql 15 and redis-server are needed (apt-get install postgresql redis-server; .ci/run installs them)');
  execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
  home = mkdtempSync(join(tmpdir(), 'modapi-cli-team-'));
  postgres = await new TestPostgres().start();
});

after(async () => {
  await postgres?.destroy();
  if (home) rmSync(home, { recursive: true, force: true });
});

const run = async (args: string[]): Promise<{ code: number; output: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: home, MODAPI_STORE_URL: postgres.url } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
};

test('the CLI against the store: serving refuses an unmigrated store; migrate is idempotent; tokens create, list and revoke say what went wrong', async () => {
  const unmigrated = await run(['--port', '0', '--token', 'mk-local-cli-team-0123456789abcdef']);
  assert.equal(unmigrated.code, 1);
  assert.match(unmigrated.output, /schema version 0 .*run `modapi-gateway migrate`/);
  const tokensBeforeMigrate = await run(['tokens', 'create', '--name', 'early']);
  assert.equal(tokensBeforeMigrate.code, 1);
  assert.match(tokensBeforeMigrate.output, /schema version 0 .*run `modapi-gateway migrate`/);
  assert.match((await run(['migrate'])).output, /applied migrations:\n {2}1: /);
  assert.match((await run(['migrate'])).output, /up to date/);
  const created = await run(['tokens', 'create', '--name', 'ci', '--team', 'platform', '--allowed-models', 'gpt-4o*, m-*', '--daily-usd', '5', '--rpm', '60']);
  const secret = /\(shown once, stored only as a hash\): (mk-team-\S+)/.exec(created.output)?.[1];
  assert.ok(secret, created.output);
  const duplicate = await run(['tokens', 'create', '--name', 'ci']);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.output, /a token named "ci" exists already/);
  assert.match((await run(['tokens', 'create', '--name', 'x', '--rpm', '1.5'])).output, /--rpm must be a positive whole number/);
  const listed = await run(['tokens', 'list']);
  assert.match(listed.output, /^ci\tactive\tcreated \S+\tteam platform, models gpt-4o\*,m-\*, \$5\/day, 60\/min$/m);
  assert.ok(!listed.output.includes(secret), 'the list shows no secret');
  assert.match((await run(['tokens', 'revoke', 'ci'])).output, /token "ci" revoked/);
  const again = await run(['tokens', 'revoke', 'ci']);
  assert.equal(again.code, 1);
  assert.match(again.output, /no active token named "ci"/);
  assert.match((await run(['tokens', 'list'])).output, /^ci\trevoked /m);
  assert.match((await run(['tokens', 'rename'])).output, /tokens rename needs a token name|create, list or revoke/);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, startCli, stopCli, type RunningCli } from '../support/cli-process.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { chatUpstream } from '../usage/support.js';

// The standalone gateway's durable default, as a user meets it: two starts with the same HOME
// share the data folder's ledger and token; --no-ledger writes no usage; `token --rotate` takes
// effect in a running gateway.
const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'sk-defaults-upstream-key-never-printed-0a1b2c3d';
const COST_PER_ANSWER = 0.004;

let upstream: FakeUpstream;
const running: RunningCli[] = [];

before(async () => {
  execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
  // Each answer reports its own cost, as ModAPI and OpenRouter do.
  upstream = await chatUpstream({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: COST_PER_ANSWER }).start();
});

after(async () => {
  for (const cli of running) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await upstream.close();
});

const freshHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), 'modapi-home-'));
  after(() => rmSync(home, { recursive: true, force: true }));
  return home;
};

const environment = (home: string): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'xdg'), MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url() });
const dataFolderOf = (home: string): string => join(home, 'xdg', 'modapi');

const start = async (home: string, args: string[] = []): Promise<RunningCli> => {
  const cli = await startCli(args, environment(home), home);
  running.push(cli);
  return cli;
};

const chat = (cli: RunningCli, token: string) =>
  fetch(`${cli.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }),
  });

/** The usage API's totals once the ledger's rollups are built (it reads the files after listening). */
const usageTotals = async (cli: RunningCli, token: string) => {
  for (;;) {
    const answer = await fetch(`${cli.url.replace(/\/v1$/, '')}/modapi/usage`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    const summary = (await answer.json()) as { rebuilding: boolean; totals: { requests: number; costUsd: number } };
    if (!summary.rebuilding) return summary.totals;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const filesUnder = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();

const modeOf = (path: string): number => statSync(path).mode & 0o777;

test('two starts with the same HOME share one ledger and one token: usage and budgets carry over the restart', async () => {
  const home = freshHome();
  const data = dataFolderOf(home);
  const config = join(home, 'gateway.json');
  // Two answers fit under the cap; a third (reserving the model's average) does not.
  writeFileSync(config, JSON.stringify({ budget: { dailyUsd: 0.01, unpricedUsdPerRequest: 0.001 } }));

  const first = await start(home, ['--config', config]);
  const printed = first.output().stdout;
  assert.ok(printed.includes(`usage ledger: ${join(data, 'ledger')}`), printed);
  const token = /local token \(generated, shown once\): (\S+)/.exec(printed)?.[1];
  assert.ok(token, printed);
  assert.ok(printed.includes(join(data, 'local-token')), 'says where the token is kept');
  assert.equal(readFileSync(join(data, 'local-token'), 'utf8').trim(), token);
  assert.equal(modeOf(join(data, 'local-token')), 0o600, 'the token file is its owner\'s only');
  assert.equal(modeOf(data), 0o700, 'so is the data folder');
  for (let index = 0; index < 2; index += 1) assert.equal((await chat(first, token)).status, 200);
  assert.equal((await usageTotals(first, token)).requests, 2);
  assert.equal((await stopCli(first)).code, 0);

  const second = await start(home, ['--config', config]);
  const again = second.output().stdout;
  assert.doesNotMatch(again, /generated/);
  assert.ok(again.includes(`reused from ${join(data, 'local-token')}`), again);
  assert.ok(!again.includes(token), 'a kept token is not printed again');
  const carried = await usageTotals(second, token);
  assert.equal(carried.requests, 2, 'the first run\'s usage is there');
  assert.ok(Math.abs(carried.costUsd - 2 * COST_PER_ANSWER) < 1e-9, String(carried.costUsd));
  const refused = await chat(second, token);
  assert.equal(refused.status, 429, 'the day\'s spending before the restart still counts against the cap');
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'budget_exceeded');
  assert.equal((await stopCli(second)).code, 0);

  const report = runCli(['usage', '--group-by', 'client'], environment(home));
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /^default +3 +1 /m, 'the CLI report reads the data folder\'s ledger: two answers and the refusal');
  for (const output of [printed, again, report.stdout, report.stderr, first.output().stderr, second.output().stderr]) assert.ok(!output.includes(KEY), 'the upstream key was printed');
});

test('--no-ledger keeps usage in memory: no ledger is written, only the kept token; with --token too, nothing at all; --ledger DIR moves it', async () => {
  const home = freshHome();
  const cli = await start(home, ['--no-ledger']);
  assert.match(cli.output().stdout, /usage kept in memory only \(--no-ledger\)/);
  const token = /local token \(generated, shown once\): (\S+)/.exec(cli.output().stdout)?.[1];
  assert.ok(token);
  assert.equal((await chat(cli, token)).status, 200);
  assert.equal((await usageTotals(cli, token)).requests, 1, 'usage is counted in memory');
  assert.equal((await stopCli(cli)).code, 0);
  assert.deepEqual(filesUnder(home), [join('xdg', 'modapi', 'local-token')]);

  const bare = freshHome();
  const given = 'mk-local-given-by-flag-0123456789abcdef';
  const withToken = await start(bare, ['--no-ledger', '--token', given]);
  assert.equal((await chat(withToken, given)).status, 200);
  assert.equal((await stopCli(withToken)).code, 0);
  assert.deepEqual(filesUnder(bare), [], 'nothing was written');

  const moved = freshHome();
  const elsewhere = join(moved, 'elsewhere');
  const withLedger = await start(moved, ['--ledger', elsewhere, '--token', given]);
  assert.ok(withLedger.output().stdout.includes(`usage ledger: ${elsewhere}`));
  assert.equal((await chat(withLedger, given)).status, 200);
  assert.equal((await stopCli(withLedger)).code, 0);
  assert.deepEqual(filesUnder(moved).filter((file) => file.endsWith('.jsonl')).map((file) => file.split('/')[0]), ['elsewhere'], '--ledger DIR moves the ledger');
  assert.ok(!filesUnder(moved).some((file) => file.startsWith('xdg')), 'and nothing goes to the data folder');
});

test('`token` prints the kept token, `token --rotate` replaces it: a running gateway refuses the old one at once, and so does the next start', async () => {
  const home = freshHome();
  const env = environment(home);
  const shown = runCli(['token'], env);
  assert.equal(shown.status, 0, shown.stderr);
  const old = shown.stdout.trim();
  assert.match(old, /^mk-local-/);
  assert.equal(modeOf(join(dataFolderOf(home), 'local-token')), 0o600);
  assert.equal(runCli(['token'], env).stdout.trim(), old, 'the same token each time');

  const cli = await start(home);
  assert.doesNotMatch(cli.output().stdout, /generated/);
  assert.equal((await chat(cli, old)).status, 200);
  const rotated = runCli(['token', '--rotate'], env);
  assert.equal(rotated.status, 0, rotated.stderr);
  const fresh = rotated.stdout.trim();
  assert.match(fresh, /^mk-local-/);
  assert.notEqual(fresh, old);
  assert.equal(modeOf(join(dataFolderOf(home), 'local-token')), 0o600, 'still its owner\'s only after the rotation');
  const deadline = Date.now() + 5_000;
  while ((await chat(cli, old)).status !== 401) {
    assert.ok(Date.now() < deadline, 'the old token was still accepted 5 s after the rotation');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal((await chat(cli, fresh)).status, 200);
  assert.equal((await stopCli(cli)).code, 0);

  const next = await start(home);
  assert.equal((await chat(next, old)).status, 401);
  assert.equal((await chat(next, fresh)).status, 200);
  assert.equal(runCli(['token'], env).stdout.trim(), fresh);
  assert.equal((await stopCli(next)).code, 0);
});

test('a data folder that cannot be written: it still starts, in memory, says why, and its token for this run works', async () => {
  const home = freshHome();
  // A file where the folder would go: mkdir fails for any user, root included.
  writeFileSync(join(home, 'xdg'), 'not a folder');
  const cli = await start(home);
  const { stdout, stderr } = cli.output();
  assert.match(stderr, /data folder .*xdg.modapi cannot be written/);
  assert.match(stdout, /usage kept in memory only: it is lost/);
  const token = /local token \(generated, shown once\): (\S+)/.exec(stdout)?.[1];
  assert.ok(token, stdout);
  assert.equal((await chat(cli, token)).status, 200);
  assert.equal((await stopCli(cli)).code, 0);
});

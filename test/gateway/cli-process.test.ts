import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startCli as startCliProcess, stopCli, type RunningCli } from '../support/cli-process.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { rawRequest } from './harness.js';

// The standalone command as a user runs it: the esbuild bundle in its own process, pointed at a
// fake OpenAI-compatible upstream through the environment.
const ROOT = join(import.meta.dirname, '..', '..');
const KEY = 'sk-cli-upstream-key-never-printed-5e4d3c2b1a';

let upstream: FakeUpstream;
let workDir: string;
const started: RunningCli[] = [];

/** A clean environment: nothing of the machine's own keys or proxies leaks into the test. */
const environment = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: workDir, ...extra });

const startCli = async (args: string[], extra: Record<string, string>): Promise<RunningCli> => {
  const running = await startCliProcess(args, environment(extra), workDir);
  started.push(running);
  return running;
};

const generatedToken = (cli: RunningCli): string => {
  const match = /local token \(generated, shown once\): (\S+)/.exec(cli.output().stdout);
  assert.ok(match, cli.output().stdout);
  return match[1]!;
};

const stopWith = stopCli;

const CHAT = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };

before(async () => {
  execFileSync(process.execPath, ['esbuild.js'], { cwd: ROOT, stdio: 'pipe' });
  workDir = mkdtempSync(join(tmpdir(), 'modapi-cli-'));
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (request, response) =>
      request.json().stream ? sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse')) : sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')),
    )
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: 'openai' }] }))
    .on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json')))
    .start();
});

after(async () => {
  for (const cli of started) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await upstream.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('with MODAPI_BASE_URL and MODAPI_API_KEY: prints where it listens and a generated token; the openai SDK and raw HTTP work with it', async () => {
  const cli = await startCli([], { MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url() });
  assert.match(cli.output().stdout, new RegExp(`listening on http://127\\.0\\.0\\.1:${cli.port}/v1`));
  const token = generatedToken(cli);
  const client = new OpenAI({ baseURL: cli.url, apiKey: token, maxRetries: 0 });
  const answer = await client.chat.completions.create(CHAT);
  assert.equal(answer.choices[0]?.message.content, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json').choices[0].message.content);
  assert.equal(upstream.last().headers.authorization, `Bearer ${KEY}`);
  let streamed = '';
  for await (const chunk of await client.chat.completions.create({ ...CHAT, stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
  assert.ok(streamed.length > 0);
  const models = await client.models.list();
  assert.ok(models.data.some((model) => model.id === 'gpt-4o'));
  const embeddings = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' });
  assert.equal(embeddings.data.length, 2);

  // As curl would: one request, its own connection.
  const raw = await rawRequest(cli.port, { method: 'POST', path: '/v1/chat/completions', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
  assert.equal(raw.status, 200);
  assert.equal(raw.json().object, 'chat.completion');
  assert.equal((await rawRequest(cli.port, { path: '/health' })).status, 200);
  assert.equal((await rawRequest(cli.port, { path: '/v1/models' })).status, 401);
  assert.equal((await rawRequest(cli.port, { path: '/v1/models', headers: { authorization: 'Bearer wrong-token-value' } })).status, 401);

  const stopped = await stopWith(cli, 'SIGTERM');
  assert.equal(stopped.code, 0);
  const { stdout, stderr } = cli.output();
  assert.ok(!stdout.includes(KEY) && !stderr.includes(KEY), 'the upstream key was printed');
});

test('--token sets the local token; no token is generated; SIGINT stops it within 5 s with exit code 0', async () => {
  const token = 'mk-local-from-flag-0123456789abcdef';
  const cli = await startCli(['--token', token], { MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url() });
  assert.doesNotMatch(cli.output().stdout, /generated/);
  assert.ok(!cli.output().stdout.includes(token), 'a token given by the user is not echoed');
  const client = new OpenAI({ baseURL: cli.url, apiKey: token, maxRetries: 0 });
  assert.equal((await client.chat.completions.create(CHAT)).object, 'chat.completion');
  const stopped = await stopWith(cli, 'SIGINT');
  // Exit code 0 is the 5 s: past it the CLI forces its exit with code 1. The bound here only adds
  // signal delivery and seeing the exit, on a loaded machine.
  assert.equal(stopped.code, 0);
  assert.ok(stopped.milliseconds < 8_000, `${stopped.milliseconds} ms`);
});

test('MODAPI_LOCAL_TOKEN sets the local token; SIGTERM with a stream still open stops it within 5 s with exit code 0', async () => {
  const token = 'mk-local-from-env-fedcba9876543210';
  const cli = await startCli([], { MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url(), MODAPI_LOCAL_TOKEN: token });
  assert.doesNotMatch(cli.output().stdout, /generated/);
  const client = new OpenAI({ baseURL: cli.url, apiKey: token, maxRetries: 0 });
  assert.equal((await client.chat.completions.create(CHAT)).object, 'chat.completion');
  // A stream the upstream never finishes is open when the signal comes.
  upstream.on('POST /v1/embeddings', (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(': still working\n\n');
  });
  const pending = rawRequest(cli.port, { method: 'POST', path: '/v1/embeddings', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"model":"text-embedding-3-small","input":"x"}' }).catch((error: Error) => error);
  while (!upstream.requests.some((request) => request.url === '/v1/embeddings' && request.json().input === 'x')) await new Promise((resolve) => setTimeout(resolve, 10));
  const stopped = await stopWith(cli, 'SIGTERM');
  // Exit code 0 is the 5 s: past it the CLI forces its exit with code 1. The bound here only adds
  // signal delivery and seeing the exit, on a loaded machine.
  assert.equal(stopped.code, 0);
  assert.ok(stopped.milliseconds < 8_000, `${stopped.milliseconds} ms`);
  await pending;
});

test('--config FILE: named tokens each work, revoked ones do not; each reads its own usage, an admin token everyone\'s', async () => {
  const config = join(workDir, 'gateway.json');
  writeFileSync(
    config,
    JSON.stringify({
      tokens: [
        { name: 'aider', token: 'mk-local-aider-token-1111111111' },
        { name: 'claude-code', token: 'mk-local-claude-token-2222222222' },
        { name: 'old', token: 'mk-local-revoked-token-33333333', revoked: true },
        { name: 'ops', token: 'mk-local-ops-admin-token-4444444', admin: true },
      ],
    }),
  );
  // A HOME of its own: the usage ledger in the data folder holds the earlier tests' requests.
  const cli = await startCli(['--config', config], { MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url(), HOME: mkdtempSync(join(workDir, 'home-')) });
  assert.doesNotMatch(cli.output().stdout, /generated/);
  for (const token of ['mk-local-aider-token-1111111111', 'mk-local-claude-token-2222222222']) {
    const client = new OpenAI({ baseURL: cli.url, apiKey: token, maxRetries: 0 });
    assert.equal((await client.chat.completions.create(CHAT)).object, 'chat.completion', token);
  }
  const revoked = new OpenAI({ baseURL: cli.url, apiKey: 'mk-local-revoked-token-33333333', maxRetries: 0 });
  await assert.rejects(revoked.chat.completions.create(CHAT), (error: any) => error.status === 401);
  const clientsSeenBy = async (token: string) => {
    const answer = await fetch(`${cli.url.replace(/\/v1$/, '')}/modapi/usage?group_by=client`, { headers: { authorization: `Bearer ${token}` } });
    return ((await answer.json()) as { groups: { key: string }[] }).groups.map((group) => group.key).sort();
  };
  assert.deepEqual(await clientsSeenBy('mk-local-aider-token-1111111111'), ['aider']);
  assert.deepEqual(await clientsSeenBy('mk-local-ops-admin-token-4444444'), ['aider', 'claude-code']);
  assert.equal((await stopWith(cli, 'SIGTERM')).code, 0);
});

test('a broken --config file: a clear message and exit code 1, not a stack trace', async () => {
  const config = join(workDir, 'broken.json');
  writeFileSync(config, '{"tokens": [{"name": "x", "token": "short"}]}');
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--port', '0', '--config', config], { cwd: workDir, env: environment({}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  assert.equal(code, 1);
  assert.match(stderr, /broken\.json/);
  assert.match(stderr, /tokens/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
});

test('with no key at all it starts, and model calls answer 401 naming MODAPI_API_KEY', async () => {
  // A HOME of its own: the first test's kept token would be reused (and not shown) here.
  const cli = await startCli([], { MODAPI_BASE_URL: upstream.url(), HOME: mkdtempSync(join(workDir, 'home-')) });
  assert.match(cli.output().stdout, /MODAPI_API_KEY/);
  const client = new OpenAI({ baseURL: cli.url, apiKey: generatedToken(cli), maxRetries: 0 });
  const before = upstream.requests.length;
  await assert.rejects(client.chat.completions.create(CHAT), (error: any) => error.status === 401 && /MODAPI_API_KEY/.test(error.message));
  await assert.rejects(client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }), (error: any) => error.status === 401 && /MODAPI_API_KEY/.test(error.message));
  assert.equal(upstream.requests.length, before, 'nothing was sent without a key');
  const models = await client.models.list();
  assert.ok(models.data.length > 0, 'the bundled table still lists models to pick from');
  assert.equal((await stopWith(cli, 'SIGINT')).code, 0);
});

test('a port already in use: a clear message and exit code 1', async () => {
  const holder = await startCli(['--token', 'mk-local-holder-token-000000000'], { MODAPI_BASE_URL: upstream.url() });
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), '--port', String(holder.port)], { cwd: workDir, env: environment({}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  assert.equal(code, 1);
  assert.match(stderr, /already in use/);
  assert.equal((await stopWith(holder, 'SIGTERM')).code, 0);
});

test('the upstream key never appears in anything any run printed', () => {
  assert.ok(started.length >= 5);
  for (const cli of started) {
    const { stdout, stderr } = cli.output();
    assert.ok(!stdout.includes(KEY), stdout);
    assert.ok(!stderr.includes(KEY), stderr);
  }
});

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { chatBody, send, type Answer } from '../faults/fault-harness.js';

// The standalone CLI with a known key and token, a whole run of requests (good ones, failing ones,
// upstreams that echo the key back), then every byte it printed and every ledger file is searched.
const KEY = 'sk-secret-upstream-key-9f8e7d6c5b4a39281706';
const OTHER_KEY = 'sk-secret-second-provider-key-1a2b3c4d5e6f';
const TOKEN = 'mk-local-secret-token-0a1b2c3d4e5f60718293';
const CLI = join(import.meta.dirname, '..', '..', 'proxy', 'cli.ts');

let upstream: FakeUpstream;
let cli: ChildProcess;
let port = 0;
let ledgerDir: string;
const printed = { stdout: '', stderr: '' };
const answers: Answer[] = [];

/** Every error shape an upstream may send, several of them quoting the key they were given. */
const chatFaults: Record<string, (authorization: string) => Parameters<FakeUpstream['on']>[1]> = {
  ok: () => (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')),
  stream: () => (_request, response) => sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse')),
  'echo-401': (authorization) => (_request, response) => sendJson(response, 401, { error: { message: `Incorrect API key provided: ${authorization.slice(7)}. You can find your API key at https://platform.example/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  'echo-html-500': (authorization) => (_request, response) => {
    response.writeHead(500, { 'content-type': 'text/html' });
    response.end(`<html><body><h1>Internal error</h1><pre>request headers: Authorization: ${authorization}</pre></body></html>`);
  },
  'echo-in-stream': (authorization) => (_request, response) => sendEvents(response, [...fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse').slice(0, 2), `data: {"error":{"message":"key ${authorization} was revoked mid-stream","type":"server_error"}}\n\n`]),
  'plain-429': () => (_request, response) => sendJson(response, 429, { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }, { 'retry-after': '1' }),
  reset: () => (_request, response) => {
    response.socket?.destroy();
  },
};

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (request, response) => {
      const fault = String(request.json().messages?.[0]?.content ?? 'ok');
      return (chatFaults[fault] ?? chatFaults.ok!)(String(request.headers.authorization ?? ''))(request, response);
    })
    .on('GET /v1/models', (request, response) => sendJson(response, 401, { error: { message: `bad key ${request.headers.authorization}`, type: 'invalid_request_error' } }))
    .start();
  ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-secrets-'));
  cli = spawn(process.execPath, ['--import', 'tsx', CLI, '--port', '0', '--token', TOKEN, '--ledger', ledgerDir], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MODAPI_API_KEY: KEY, MODAPI_BASE_URL: upstream.url(), OPENAI_API_KEY: OTHER_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cli.stdout!.setEncoding('utf8').on('data', (text: string) => (printed.stdout += text));
  cli.stderr!.setEncoding('utf8').on('data', (text: string) => (printed.stderr += text));
  const deadline = Date.now() + 20_000;
  while (!/listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/.test(printed.stdout)) {
    if (Date.now() > deadline || cli.exitCode !== null) throw new Error(`the CLI did not start: ${printed.stdout} ${printed.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/.exec(printed.stdout)![1]);
});

after(async () => {
  if (cli.exitCode === null) {
    const exited = new Promise((resolve) => cli.once('exit', resolve));
    cli.kill('SIGTERM');
    await exited;
  }
  await upstream.close();
  rmSync(ledgerDir, { recursive: true, force: true });
});

const call = async (path: string, options: { body?: string; method?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
  const answer = await send({ port, path, body: options.body, method: options.method, headers: { authorization: `Bearer ${TOKEN}`, ...options.headers } });
  answers.push(answer);
  return answer;
};

const filesUnder = (directory: string): string[] =>
  readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

test('a whole run of good and failing requests leaves no key or token in the output, the ledger or any answer', async () => {
  const fault = (name: string, stream = false) => JSON.stringify({ model: 'gpt-4o', stream, messages: [{ role: 'user', content: name }] });
  for (let round = 0; round < 3; round += 1) {
    for (const name of Object.keys(chatFaults)) {
      await call('/v1/chat/completions', { body: fault(name) });
      await call('/v1/chat/completions', { body: fault(name, true) });
    }
    await call('/v1/chat/completions', { body: chatBody(false), headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } });
    await call('/v1/chat/completions', { body: chatBody(false), headers: { authorization: '', 'x-api-key': `${TOKEN}-extra` } });
    await call('/v1/chat/completions', { body: chatBody(false), headers: { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` } });
    await call('/v1/chat/completions', { body: '{"model": "gpt-4o", "messages": [' });
    await call('/v1/chat/completions', { body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'unreachable provider' }] }) });
    await call('/v1/models', { method: 'GET' });
    await call('/v1/embeddings', { body: JSON.stringify({ model: 'text-embedding-3-small', input: 'x' }) });
    await call(`/v1/nowhere?key=${KEY}`, { method: 'GET' });
  }
  const statuses = new Set(answers.map((answer) => answer.status));
  for (const status of [200, 400, 401, 429, 502]) assert.ok(statuses.has(status), `the run never produced a ${status}: ${[...statuses].join(', ')}`);

  const report = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'usage', '--ledger', ledgerDir], { encoding: 'utf8' });
  const ledgerFiles = filesUnder(ledgerDir);
  assert.ok(ledgerFiles.length > 0, 'the ledger wrote no file');
  const ledger = ledgerFiles.map((file) => readFileSync(file, 'utf8')).join('\n');
  assert.ok(ledger.split('\n').filter((line) => line.includes('"requestId"')).length >= 30, 'the ledger holds the run');

  const places: Record<string, string> = {
    'CLI stdout': printed.stdout,
    'CLI stderr': printed.stderr,
    ledger,
    'usage report': report.stdout + report.stderr,
  };
  for (const [place, text] of Object.entries(places)) {
    for (const [name, secret] of Object.entries({ KEY, OTHER_KEY, TOKEN })) assert.equal(text.includes(secret), false, `${name} appears in the ${place}`);
  }
  // The upstream key never reaches a client, even when the upstream quotes it back.
  for (const answer of answers) {
    assert.equal(answer.body.includes(KEY), false, `an answer quotes the key: ${answer.body.slice(-300)}`);
    assert.equal(answer.body.includes(OTHER_KEY), false);
  }
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { usageReport } from '../../proxy/cli/usage-report.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { csvTexts } from '../support/csv.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';

const TOKEN_A = 'mk-local-tool-a-0123456789abcdef0123';
const TOKEN_B = 'mk-local-tool-b-0123456789abcdef0123';
const TOKEN_ADMIN = 'mk-local-admin-0123456789abcdef01234';
const PROMPT = 'a prompt that must never reach the ledger 7f3a';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let ledgerDir: string;
const today = new Date().toISOString().slice(0, 10);

/** The mix of requests every test below reads back. Expected figures, by hand (prices per 1M tokens):
 *  a: 3 x gpt-4.1-nano whole, 16 in / 363 out at $0.10 / $0.40 = $0.0001468 each
 *  b: 2 x gpt-4o streamed, 14 in / 30 out at $2.50 / $10 = $0.000335 each
 *  b: 1 x text-embedding-3-small, 12 tokens at $0.02 = $0.00000024
 *  a: 1 x dall-e-3, 2 images at $0.04 = $0.08 */
const EXPECTED = {
  requests: 7,
  promptTokens: 3 * 16 + 2 * 14 + 12,
  completionTokens: 3 * 363 + 2 * 30,
  images: 2,
  costUsd: 3 * 0.0001468 + 2 * 0.000335 + 0.00000024 + 0.08,
  byClient: { 'tool-a': { requests: 4, costUsd: 3 * 0.0001468 + 0.08 }, 'tool-b': { requests: 3, costUsd: 2 * 0.000335 + 0.00000024 } },
};

const get = (path: string, token = TOKEN_ADMIN) => fetch(`http://127.0.0.1:${gateway.port}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

before(async () => {
  ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-usage-api-'));
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', (request, response) =>
      request.json().stream
        ? sendEvents(response, fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse'))
        : sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')),
    )
    .on('POST /v1/embeddings', (_request, response) => sendJson(response, 200, fixtureJson('openai/embeddings-text-embedding-3-small.vercel.json')))
    .on('POST /v1/images/generations', (_request, response) => sendJson(response, 200, fixtureJson('openai/images-generations-b64-revised-prompt.vercel.json')))
    .start();
  gateway = await startTestGateway({
    providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
    tokens: [{ name: 'tool-a', token: TOKEN_A }, { name: 'tool-b', token: TOKEN_B }, { name: 'ops', token: TOKEN_ADMIN, admin: true }],
    ledgerDir,
  });
  const a = new OpenAI({ baseURL: gateway.url, apiKey: TOKEN_A, maxRetries: 0 });
  const b = new OpenAI({ baseURL: gateway.url, apiKey: TOKEN_B, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: PROMPT }];
  for (let index = 0; index < 3; index += 1) await a.chat.completions.create({ model: 'gpt-4.1-nano', messages });
  for (let index = 0; index < 2; index += 1) for await (const chunk of await b.chat.completions.create({ model: 'gpt-4o', messages, stream: true })) void chunk;
  await b.embeddings.create({ model: 'text-embedding-3-small', input: PROMPT });
  await a.images.generate({ model: 'dall-e-3', prompt: PROMPT, n: 2 });
});

after(async () => {
  await gateway.close();
  await upstream.close();
  rmSync(ledgerDir, { recursive: true, force: true });
});

const near = (actual: number, expected: number, label: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: ${actual} != ${expected}`);

test('the usage API totals equal the requests made', async () => {
  const answer = await get(`/modapi/usage?from=${today}&to=${today}`);
  assert.equal(answer.status, 200);
  const body = (await answer.json()) as any;
  assert.equal(body.object, 'usage.summary');
  assert.equal(body.totals.requests, EXPECTED.requests);
  assert.equal(body.totals.promptTokens, EXPECTED.promptTokens);
  assert.equal(body.totals.completionTokens, EXPECTED.completionTokens);
  assert.equal(body.totals.images, EXPECTED.images);
  assert.equal(body.totals.unknownCostRequests, 0);
  near(body.totals.costUsd, EXPECTED.costUsd, 'total cost');
});

test('grouped by client, model, endpoint and day', async () => {
  const byClient = (await (await get('/modapi/usage?group_by=client')).json()) as any;
  assert.deepEqual(byClient.groups.map((group: any) => group.key), ['tool-a', 'tool-b'], 'the costliest first');
  for (const group of byClient.groups) {
    const expected = EXPECTED.byClient[group.key as keyof typeof EXPECTED.byClient];
    assert.equal(group.requests, expected.requests);
    near(group.costUsd, expected.costUsd, group.key);
  }
  const byModel = (await (await get('/modapi/usage?group_by=model')).json()) as any;
  const models = Object.fromEntries(byModel.groups.map((group: any) => [group.key, group.requests]));
  assert.deepEqual(models, { 'dall-e-3': 1, 'gpt-4.1-nano': 3, 'gpt-4o': 2, 'text-embedding-3-small': 1 });
  const byEndpoint = (await (await get('/modapi/usage?group_by=endpoint')).json()) as any;
  assert.deepEqual(Object.fromEntries(byEndpoint.groups.map((group: any) => [group.key, group.requests])), { '/v1/chat/completions': 5, '/v1/embeddings': 1, '/v1/images/generations': 1 });
  const byDay = (await (await get('/modapi/usage?group_by=day')).json()) as any;
  assert.deepEqual(byDay.groups.map((group: any) => [group.key, group.requests]), [[today, 7]]);
  const empty = (await (await get('/modapi/usage?from=2020-01-01&to=2020-01-31')).json()) as any;
  assert.equal(empty.totals.requests, 0);
});

test('CSV export: every record of the period, or the groups', async () => {
  const answer = await get('/modapi/usage.csv');
  assert.match(answer.headers.get('content-type') ?? '', /^text\/csv/);
  const lines = csvTexts(await answer.text());
  assert.equal(lines.length, 1 + EXPECTED.requests);
  assert.deepEqual(lines[0]!.slice(0, 10), ['time', 'requestId', 'client', 'endpoint', 'provider', 'model', 'requestedModel', 'stream', 'status', 'promptTokens']);
  const grouped = csvTexts(await (await get('/modapi/usage?format=csv&group_by=client')).text());
  assert.equal(grouped.length, 3);
  assert.deepEqual(grouped[1]!.slice(0, 2), ['tool-a', '4']);
});

/** What one token reads through each usage endpoint. */
const seenBy = async (token: string) => {
  const summary = (await (await get('/modapi/usage?group_by=model', token)).json()) as any;
  const byClient = (await (await get('/modapi/usage?group_by=client', token)).json()) as any;
  const byDay = (await (await get('/modapi/usage?group_by=day', token)).json()) as any;
  const csv = csvTexts(await (await get('/modapi/usage.csv', token)).text());
  const grouped = csvTexts(await (await get('/modapi/usage?format=csv&group_by=client', token)).text());
  const recent = (await (await get('/modapi/usage/recent?limit=100', token)).json()) as any;
  const clientColumn = csv[0]!.indexOf('client');
  return {
    scope: summary.client,
    requests: summary.totals.requests,
    models: Object.fromEntries(summary.groups.map((group: any) => [group.key, group.requests])),
    clients: byClient.groups.map((group: any) => group.key),
    dayRequests: byDay.groups.map((group: any) => group.requests),
    csvClients: [...new Set(csv.slice(1).map((row) => row[clientColumn]))].sort(),
    csvRows: csv.length - 1,
    groupedCsv: grouped.slice(1).map((row) => row[0]),
    recentClients: [...new Set(recent.data.map((record: any) => record.client))].sort(),
    recentCount: recent.data.length,
  };
};

test('each token reads only its own usage; a token marked admin reads everyone\'s', async () => {
  assert.deepEqual(await seenBy(TOKEN_A), {
    scope: 'tool-a',
    requests: 4,
    models: { 'dall-e-3': 1, 'gpt-4.1-nano': 3 },
    clients: ['tool-a'],
    dayRequests: [4],
    csvClients: ['tool-a'],
    csvRows: 4,
    groupedCsv: ['tool-a'],
    recentClients: ['tool-a'],
    recentCount: 4,
  });
  assert.deepEqual(await seenBy(TOKEN_B), {
    scope: 'tool-b',
    requests: 3,
    models: { 'gpt-4o': 2, 'text-embedding-3-small': 1 },
    clients: ['tool-b'],
    dayRequests: [3],
    csvClients: ['tool-b'],
    csvRows: 3,
    groupedCsv: ['tool-b'],
    recentClients: ['tool-b'],
    recentCount: 3,
  });
  assert.deepEqual(await seenBy(TOKEN_ADMIN), {
    scope: null,
    requests: 7,
    models: { 'dall-e-3': 1, 'gpt-4.1-nano': 3, 'gpt-4o': 2, 'text-embedding-3-small': 1 },
    clients: ['tool-a', 'tool-b'],
    dayRequests: [7],
    csvClients: ['tool-a', 'tool-b'],
    csvRows: 7,
    groupedCsv: ['tool-a', 'tool-b'],
    recentClients: ['tool-a', 'tool-b'],
    recentCount: 7,
  });
  const asked = (await (await get('/modapi/usage?group_by=client&client=tool-b', TOKEN_A)).json()) as any;
  assert.deepEqual(asked.groups.map((group: any) => group.key), ['tool-a'], 'no parameter widens the scope');
  const costOfA = ((await (await get('/modapi/usage', TOKEN_A)).json()) as any).totals.costUsd;
  near(costOfA, EXPECTED.byClient['tool-a'].costUsd, 'tool-a reads its own cost');
});

test('recent records, newest first, for the usage panel', async () => {
  const body = (await (await get('/modapi/usage/recent?limit=2')).json()) as any;
  assert.equal(body.data.length, 2);
  assert.equal(body.data[0].endpoint, '/v1/images/generations');
  assert.equal(body.data[1].endpoint, '/v1/embeddings');
});

test('the usage API needs a token and refuses bad parameters', async () => {
  assert.equal((await get('/modapi/usage', '')).status, 401);
  const bad = await get('/modapi/usage?group_by=planet');
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as any).error.param, 'group_by');
  assert.equal((await get('/modapi/usage?from=yesterday')).status, 400);
  assert.equal((await get('/modapi/usage?from=2026-02-01&to=2026-01-01')).status, 400);
  // A day that does not exist is refused, not rolled over (2025-02-30 read as March 2nd).
  for (const from of ['2025-02-30', '2025-04-31', '2025-02-29T10:00:00Z']) assert.equal((await get(`/modapi/usage?from=${from}`)).status, 400, from);
  assert.equal((await get('/modapi/usage?from=2024-02-29&to=2024-03-01')).status, 200, 'a leap day is a day');
  assert.equal((await get('/modapi/usage/recent?limit=0')).status, 400);
});

test('the ledger file holds metadata only: no prompt, no answer, no token, no key', () => {
  const files = readdirSync(ledgerDir);
  assert.deepEqual(files, [`usage-${today.slice(0, 7)}.jsonl`]);
  const text = readFileSync(join(ledgerDir, files[0]!), 'utf8');
  assert.equal(text.trimEnd().split('\n').length, EXPECTED.requests);
  for (const secret of [PROMPT, TOKEN_A, TOKEN_B, TOKEN_ADMIN, TEST_KEY, 'Galaxy Day']) assert.ok(!text.includes(secret), `the ledger contains ${secret}`);
  assert.ok(text.includes('"client":"tool-a"'));
});

test('the CLI usage report prints the same numbers as a table', async () => {
  const printed: string[] = [];
  await usageReport({ command: 'usage', host: '127.0.0.1', port: 0, help: false, ledger: ledgerDir, groupBy: 'client' }, (text) => printed.push(text));
  const table = printed.join('\n');
  assert.match(table, /^tool-a +4 +0 /m);
  assert.match(table, /^tool-b +3 +0 /m);
  const total = table.split('\n').find((line) => line.startsWith('total'))!;
  assert.match(total, new RegExp(`^total +7 +0 +${EXPECTED.promptTokens} `));
  assert.ok(total.includes(EXPECTED.costUsd.toFixed(4)), total);
  await assert.rejects(usageReport({ command: 'usage', host: '127.0.0.1', port: 0, help: false }, () => undefined), /--ledger DIR/);
});

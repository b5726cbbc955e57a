import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_TOKEN } from '../support/gateway.js';
import { startMessagesGateway, type MessagesGateway } from '../messages/messages-gateway.js';

/** Bad input and bad keys on the Gemini paths: a 4xx in Google's shape, nothing sent upstream; a
 * token given as `?key=` never reaches the ledger or the log. */

const TEXT_WHOLE = 'openai/chat-completion-text-gpt-4-1-nano.vercel.json';
/** A token in the query string, distinct from the header token, so a leak of it is unmistakable. */
const QUERY_TOKEN = 'mk-query-string-token-5f1e2d3c4b5a69788796';

/** A token allowed gpt-4o only. */
const GPT_ONLY_TOKEN = 'mk-gpt-only-token-0a1b2c3d4e5f6a7b8c9d';

let harness: MessagesGateway;
const logged: string[] = [];

before(async () => {
  const log = { info: (message: string) => logged.push(message), warn: (message: string) => logged.push(message), error: (message: string) => logged.push(message) };
  harness = await startMessagesGateway({ 'gpt-4o': { whole: TEXT_WHOLE } }, {}, {}, { log, tokens: [{ name: 'default', token: TEST_TOKEN }, { name: 'query-tool', token: QUERY_TOKEN }, { name: 'gpt-only', token: GPT_ONLY_TOKEN, allowedModels: ['gpt-4o'] }] });
});

after(() => harness.close());

const HELLO = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

const post = async (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': TEST_TOKEN }) => {
  const response = await fetch(`${harness.root}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: (await response.json()) as { error?: { code: number; message: string; status: string } } };
};

/** Google's error shape, with the status word its code calls for, and nothing sent upstream. */
const assertRefused = async (answer: Promise<Awaited<ReturnType<typeof post>>>, status: number, word: string) => {
  const seen = harness.upstream.requests.length;
  const { status: got, contentType, body } = await answer;
  assert.equal(got, status);
  assert.match(contentType, /^application\/json/);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error?.code, status);
  assert.equal(body.error?.status, word);
  assert.equal(typeof body.error?.message, 'string');
  assert.equal(harness.upstream.requests.length, seen, 'nothing went upstream');
  return body.error!.message;
};

test('malformed contents, an unknown role and a body that is not JSON are 400 INVALID_ARGUMENT', async () => {
  for (const version of ['v1beta', 'v1']) {
    const path = `/${version}/models/gpt-4o:generateContent`;
    await assertRefused(post(path, { contents: 'hello' }), 400, 'INVALID_ARGUMENT');
    await assertRefused(post(path, { contents: [{ role: 'user', parts: 'hello' }] }), 400, 'INVALID_ARGUMENT');
    await assertRefused(post(path, { contents: [{ role: 'system', parts: [{ text: 'hi' }] }] }), 400, 'INVALID_ARGUMENT');
    await assertRefused(post(path, '{"contents": ['), 400, 'INVALID_ARGUMENT');
  }
});

test('fileData another provider cannot read is a clear 400', async () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'describe' }, { fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } }] }] };
  const message = await assertRefused(post('/v1beta/models/gpt-4o:streamGenerateContent?alt=sse', body), 400, 'INVALID_ARGUMENT');
  assert.match(message, /contents\[0\]\.parts\[1\]\.fileData/);
  assert.match(message, /only Gemini models read Files API uploads/);
});

test('a functionResponse that answers no call is a 400', async () => {
  const body = { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { ok: true } } }] }] };
  await assertRefused(post('/v1beta/models/gpt-4o:generateContent', body), 400, 'INVALID_ARGUMENT');
});

test('a missing or wrong key in each of the three places is 401 UNAUTHENTICATED', async () => {
  for (const version of ['v1beta', 'v1']) {
    const path = `/${version}/models/gpt-4o:generateContent`;
    await assertRefused(post(path, HELLO, {}), 401, 'UNAUTHENTICATED');
    await assertRefused(post(path, HELLO, { 'x-goog-api-key': 'mk-wrong-token-000000000000' }), 401, 'UNAUTHENTICATED');
    await assertRefused(post(`${path}?key=mk-wrong-token-000000000000`, HELLO, {}), 401, 'UNAUTHENTICATED');
    await assertRefused(post(path, HELLO, { authorization: 'Bearer mk-wrong-token-000000000000' }), 401, 'UNAUTHENTICATED');
  }
  const response = await fetch(`${harness.root}/v1beta/models`);
  assert.equal(response.status, 401);
  assert.equal(((await response.json()) as { error: { status: string } }).error.status, 'UNAUTHENTICATED');
});

test('an unknown method or path under /v1beta is 404 NOT_FOUND; /v1 paths that are not Gemini methods stay OpenAI', async () => {
  await assertRefused(post('/v1beta/models/gpt-4o:predictEverything', HELLO), 404, 'NOT_FOUND');
  await assertRefused(post('/v1beta/files', HELLO), 404, 'NOT_FOUND');
  const openai = await fetch(`${harness.root}/v1/models/gpt-4o:predictEverything`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(openai.status, 404);
  assert.equal(((await openai.json()) as { error: { type: string } }).error.type, 'not_found_error', "OpenAI's shape");
});

test('a token in ?key= works, and reaches neither the ledger nor the log', async () => {
  const before = harness.records.length;
  const answer = await post(`/v1beta/models/gpt-4o:generateContent?key=${QUERY_TOKEN}`, HELLO, {});
  assert.equal(answer.status, 200);
  await assertRefused(post(`/v1beta/models/gpt-4o:nothing?key=${QUERY_TOKEN}`, HELLO, {}), 404, 'NOT_FOUND');
  await assertRefused(post(`/v1beta/models/gpt-4o:generateContent?key=${QUERY_TOKEN}`, { contents: 'x' }, {}), 400, 'INVALID_ARGUMENT');
  const record = await harness.recordAt(before);
  assert.equal(record.client, 'query-tool');
  const written = JSON.stringify({ records: harness.records, logged });
  assert.ok(!written.includes(QUERY_TOKEN), 'the query token is nowhere in the ledger or the log');
  assert.ok(!harness.upstream.requests.some((request) => request.url.includes(QUERY_TOKEN) || JSON.stringify(request.headers).includes(QUERY_TOKEN)), 'nor upstream');
});

test("a token's allowed models hold on every Gemini method, countTokens included: 403 PERMISSION_DENIED, nothing upstream", async () => {
  const headers = { 'x-goog-api-key': GPT_ONLY_TOKEN };
  for (const method of ['generateContent', 'streamGenerateContent?alt=sse', 'countTokens']) {
    await assertRefused(post(`/v1beta/models/gemini/gemini-2.5-flash:${method}`, HELLO, headers), 403, 'PERMISSION_DENIED');
  }
  await assertRefused(post('/v1beta/models/gemini/text-embedding-004:embedContent', { content: { parts: [{ text: 'x' }] } }, headers), 403, 'PERMISSION_DENIED');
  assert.equal((await post('/v1beta/models/gpt-4o:countTokens', HELLO, headers)).status, 200);
});

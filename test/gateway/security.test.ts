import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { Redactor, type Logger } from '../../proxy/logger.js';
import { hostNamesForBind } from '../../proxy/server/security.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { authorized, eventually, jsonHeaders, rawRequest, signal, startHarness, type Harness } from './harness.js';

const ALLOWED_ORIGIN = 'vscode-webview://abcdef';
const printed: string[] = [];
const recordingLogger: Logger = {
  info: (message) => printed.push(message),
  warn: (message) => printed.push(message),
  error: (message) => printed.push(message),
};

let harness: Harness;

const CHAT = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });

before(async () => {
  const upstream = new FakeUpstream()
    .on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json')))
    .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: [{ id: 'gpt-4o' }] }));
  const redactor = new Redactor();
  harness = await startHarness(upstream, { allowedOrigins: [ALLOWED_ORIGIN], log: recordingLogger, redactor });
});

after(() => harness.close());

const post = (headers: Record<string, string>, path = '/v1/chat/completions') => rawRequest(harness.gateway.port, { method: 'POST', path, headers, body: CHAT });

test('no token: 401 with an OpenAI-shaped error, nothing sent upstream', async () => {
  const before = harness.upstream.requests.length;
  const answer = await post({ 'content-type': 'application/json' });
  assert.equal(answer.status, 401);
  assert.equal(answer.json().error.type, 'authentication_error');
  assert.equal(answer.json().error.code, 'invalid_local_token');
  assert.equal(harness.upstream.requests.length, before);
  const sdk = new OpenAI({ baseURL: harness.gateway.url, apiKey: 'not-a-token', maxRetries: 0 });
  await assert.rejects(sdk.models.list(), (error: any) => error.status === 401);
});

test('a wrong token is refused, and so is the upstream key presented as a local token', async () => {
  for (const token of [`${TEST_TOKEN}x`, TEST_TOKEN.slice(0, -1), TEST_KEY, '']) {
    const answer = await post(jsonHeaders({ authorization: `Bearer ${token}` }));
    assert.equal(answer.status, 401, token);
  }
  assert.equal((await post(jsonHeaders({ authorization: `Basic ${Buffer.from(`user:${TEST_TOKEN}`).toString('base64')}` }))).status, 401);
});

test('the token works as "Authorization: Bearer" and as "x-api-key"', async () => {
  assert.equal((await post(jsonHeaders())).status, 200);
  assert.equal((await post({ 'content-type': 'application/json', 'x-api-key': TEST_TOKEN })).status, 200);
  assert.equal((await rawRequest(harness.gateway.port, { path: '/v1/models', headers: { 'x-api-key': TEST_TOKEN } })).status, 200);
});

test('/health needs no token and tells nothing secret', async () => {
  const answer = await rawRequest(harness.gateway.port, { path: '/health' });
  assert.equal(answer.status, 200);
  assert.equal(answer.json().status, 'ok');
});

test('a foreign Host header is refused (DNS rebinding), even with a valid token', async () => {
  const port = harness.gateway.port;
  for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `attacker.localhost:${port}`]) {
    const answer = await post(jsonHeaders({ host }));
    assert.equal(answer.status, 403, host);
    assert.equal(answer.json().error.code, 'host_not_allowed');
    assert.equal((await rawRequest(port, { path: '/health', headers: { host } })).status, 403, `${host} on /health`);
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) assert.equal((await post(jsonHeaders({ host }))).status, 200, host);
});

test('a foreign browser Origin is refused with 403, even with a valid token', async () => {
  for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${harness.gateway.port}`, `${ALLOWED_ORIGIN}.evil`]) {
    const answer = await post(jsonHeaders({ origin }));
    assert.equal(answer.status, 403, origin);
    assert.equal(answer.json().error.code, 'origin_not_allowed');
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    const preflight = await rawRequest(harness.gateway.port, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { origin, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 403, `${origin} preflight`);
  }
});

test('a listed origin is allowed, with CORS naming exactly that origin (never *)', async () => {
  const preflight = await rawRequest(harness.gateway.port, {
    method: 'OPTIONS',
    path: '/v1/chat/completions',
    headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  assert.match(String(preflight.headers.vary), /origin/i);
  assert.match(String(preflight.headers['access-control-allow-headers']), /authorization/);
  const answer = await post(jsonHeaders({ origin: ALLOWED_ORIGIN }));
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  assert.equal(answer.headers['access-control-allow-credentials'], undefined);
  // The origin lets a page in, not past the token.
  assert.equal((await post({ 'content-type': 'application/json', origin: ALLOWED_ORIGIN })).status, 401);
});

test('the gateway binds 127.0.0.1 by default', () => {
  const address = harness.gateway.server.address() as AddressInfo;
  assert.equal(address.address, '127.0.0.1');
  assert.equal(harness.gateway.host, '127.0.0.1');
  assert.equal(harness.gateway.url, `http://127.0.0.1:${address.port}/v1`);
});

test("the client's Authorization and x-api-key never reach the upstream; the gateway's key does", async () => {
  await post(jsonHeaders({ 'x-api-key': TEST_TOKEN, cookie: 'session=secret-cookie', 'openai-organization': 'org-client', 'x-forwarded-for': '10.0.0.1' }));
  const seen = harness.upstream.last();
  assert.equal(seen.headers.authorization, `Bearer ${TEST_KEY}`);
  assert.equal(seen.headers['x-api-key'], undefined);
  assert.equal(seen.headers.cookie, undefined);
  const everything = JSON.stringify(seen.headers) + seen.body.toString('utf8');
  assert.ok(!everything.includes(TEST_TOKEN), 'the local token leaked upstream');
  assert.ok(!everything.includes('secret-cookie'));
});

test('an upstream that echoes the key gets it masked in the error body and in the log', async () => {
  harness.upstream.on('POST /v1/chat/completions', (_request, response) =>
    sendJson(response, 401, { error: { message: `Incorrect API key provided: ${TEST_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
  );
  harness.upstream.on('GET /v1/models', (_request, response) => sendJson(response, 500, { error: { message: `upstream broke while checking ${TEST_KEY}` } }));
  const answer = await post(jsonHeaders());
  assert.equal(answer.status, 401);
  assert.equal(answer.json().error.code, 'invalid_api_key');
  assert.match(answer.json().error.message, /Incorrect API key provided/);
  assert.ok(!answer.text.includes(TEST_KEY), answer.text);
  const streamed = await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true }) });
  assert.equal(streamed.status, 401);
  assert.ok(!streamed.text.includes(TEST_KEY));
  await rawRequest(harness.gateway.port, { path: '/v1/models?refresh=true', headers: authorized() });
  assert.ok(printed.length > 0, 'the failing model list was logged');
  for (const line of printed) {
    assert.ok(!line.includes(TEST_KEY), line);
    assert.ok(!line.includes(TEST_TOKEN), line);
  }
});

test('no error body carries the key or the token', async () => {
  const answers = [
    await post({}),
    await post(jsonHeaders({ host: 'evil.example' })),
    await post(jsonHeaders({ origin: 'https://evil.example' })),
    await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: '{"model":' }),
    await rawRequest(harness.gateway.port, { method: 'POST', path: '/v1/chat/completions', headers: jsonHeaders(), body: JSON.stringify({ model: 'nope/x', messages: [{ role: 'user', content: 'hi' }] }) }),
    await rawRequest(harness.gateway.port, { method: 'GET', path: '/v1/unknown', headers: authorized() }),
  ];
  for (const answer of answers) {
    assert.ok(answer.status >= 400);
    assert.ok(answer.json().error.message.length > 0);
    assert.ok(!answer.text.includes(TEST_KEY));
    assert.ok(!answer.text.includes(TEST_TOKEN));
  }
});

test('a stray non-bearer Authorization does not hide a valid x-api-key, nor make a wrong one pass', async () => {
  const models = (headers: Record<string, string>) => rawRequest(harness.gateway.port, { path: '/v1/models', headers });
  assert.equal((await models({ authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': TEST_TOKEN })).status, 200);
  assert.equal((await models({ authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': 'wrong' })).status, 401);
  assert.equal((await models({ authorization: 'Bearer wrong', 'x-api-key': TEST_TOKEN })).status, 401, 'a bearer token, when given, decides');
});

test('host names accepted for a bind address: none extra for loopback, the address itself, the machine for a wildcard', () => {
  assert.deepEqual(hostNamesForBind('127.0.0.1'), []);
  assert.deepEqual(hostNamesForBind('localhost'), []);
  assert.deepEqual(hostNamesForBind('192.168.1.20'), ['192.168.1.20']);
  assert.deepEqual(hostNamesForBind('fd00::1'), ['fd00::1', '[fd00::1]']);
  const wildcard = hostNamesForBind('0.0.0.0');
  assert.ok(wildcard.includes(hostname().toLowerCase()));
  assert.ok(wildcard.includes('127.0.0.1'));
  assert.ok(!wildcard.includes('evil.example'));
});

test('a client giving up on a non-streamed answer aborts the upstream call and leaves no error in the log', async () => {
  const upstreamClosed = signal<{ closed: Promise<void> }>();
  harness.upstream.on('POST /v1/chat/completions', (_request, response) => {
    upstreamClosed.resolve({ closed: new Promise((resolve) => response.once('close', () => resolve())) });
  });
  const linesBefore = printed.length;
  const controller = new AbortController();
  const pending = harness.client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal });
  const rejected = assert.rejects(pending);
  const { closed } = await upstreamClosed.promise;
  controller.abort();
  await rejected;
  await closed;
  await eventually(() => harness.sockets.busy() === 0, 'the request let its socket go');
  assert.deepEqual(printed.slice(linesBefore), []);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { assertOpenAIError, chatBody, send } from '../faults/fault-harness.js';

// DNS rebinding and cross-origin browser calls, at the HTTP level (test/security/browser.test.ts
// does the same from a real Chromium page).
let upstream: FakeUpstream;
let gateway: RunningGateway;
const ALLOWED_ORIGIN = 'http://127.0.0.1:5173';

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'))).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } }, allowedOrigins: [ALLOWED_ORIGIN] });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

const chatWith = (headers: Record<string, string>) => send({ port: gateway.port, path: '/v1/chat/completions', body: chatBody(false), headers });

test('a Host naming anything but this gateway on loopback is refused before any model call (DNS rebinding)', async () => {
  const port = gateway.port;
  const hostile = [`evil.example:${port}`, 'evil.example', `127.0.0.1.nip.io:${port}`, `localhost.evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `0.0.0.0:${port}`, `[::2]:${port}`, `127.0.0.1:${port}.evil.example`, `192.168.1.10:${port}`];
  const seenBefore = upstream.requests.length;
  for (const host of hostile) {
    const answer = await chatWith({ host });
    assertOpenAIError(answer, 403);
    assert.equal(JSON.parse(answer.body).error.code, 'host_not_allowed', host);
  }
  const health = await send({ port, path: '/health', method: 'GET', headers: { host: `evil.example:${port}` } });
  assert.equal(health.status, 403, 'even the health check refuses a foreign Host');
  assert.equal(upstream.requests.length, seenBefore, 'no refused request reached the upstream');
});

test('the loopback names with the right port are served', async () => {
  for (const host of [`127.0.0.1:${gateway.port}`, `localhost:${gateway.port}`, `LOCALHOST:${gateway.port}`, `[::1]:${gateway.port}`]) {
    const answer = await chatWith({ host });
    assert.equal(answer.status, 200, `${host}: ${answer.body}`);
  }
});

test('a browser Origin not listed is refused, preflight included, with no CORS header at all', async () => {
  const seenBefore = upstream.requests.length;
  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${gateway.port + 1}`, 'vscode-webview://abc', 'http://localhost:5173']) {
    const answer = await chatWith({ origin });
    assertOpenAIError(answer, 403);
    assert.equal(JSON.parse(answer.body).error.code, 'origin_not_allowed');
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    const preflight = await send({ port: gateway.port, path: '/v1/chat/completions', method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  }
  assert.equal(upstream.requests.length, seenBefore);
});

test('a listed Origin gets CORS for itself only, never a wildcard', async () => {
  const preflight = await send({ port: gateway.port, path: '/v1/chat/completions', method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  const answer = await chatWith({ origin: ALLOWED_ORIGIN });
  assert.equal(answer.status, 200);
  assert.equal(answer.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
  assert.match(String(answer.headers.vary), /origin/i);
});

test('a listed Origin still needs the local token', async () => {
  const answer = await send({ port: gateway.port, path: '/v1/chat/completions', body: chatBody(false), headers: { origin: ALLOWED_ORIGIN, authorization: 'Bearer not-the-token' } });
  assertOpenAIError(answer, 401);
});

test('the chat fast lane and the express app answer alike (a trailing slash takes the express path)', async () => {
  for (const path of ['/v1/chat/completions', '/v1/chat/completions/']) {
    const served = await send({ port: gateway.port, path, body: chatBody(false) });
    assert.equal(served.status, 200, `${path}: ${served.body}`);
    assertOpenAIError(await send({ port: gateway.port, path, body: chatBody(false), headers: { host: `evil.example:${gateway.port}` } }), 403);
    assertOpenAIError(await send({ port: gateway.port, path, body: chatBody(false), headers: { origin: 'http://evil.example' } }), 403);
    assertOpenAIError(await send({ port: gateway.port, path, body: chatBody(false), headers: { authorization: 'Bearer wrong' } }), 401);
    const invalid = await send({ port: gateway.port, path, body: '{"model":' });
    assertOpenAIError(invalid, 400);
    assert.equal(invalid.headers['content-type'], 'application/json; charset=utf-8');
  }
});

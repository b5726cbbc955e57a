import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';

// A real browser (Debian's Chromium, which .ci/run installs) on a page of another origin tries to
// use the gateway, even knowing the token: fetch fails, a no-cors request reads nothing, and no
// request reaches a model. Then a DNS-rebinding page (evil.example resolved to 127.0.0.1) is refused
// by the Host check.
let upstream: FakeUpstream;
let gateway: RunningGateway;
let pageServer: Server;
let pagePort = 0;
let browser: Browser;

const ATTACKER_PAGE = '<!doctype html><title>elsewhere</title><p>a page of another origin</p>';

before(async () => {
  upstream = await new FakeUpstream().on('*', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'))).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(ATTACKER_PAGE);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pagePort = (pageServer.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP evil.example 127.0.0.1'],
  });
});

after(async () => {
  await browser?.close();
  pageServer.closeAllConnections();
  await new Promise<void>((resolve) => pageServer.close(() => resolve()));
  await gateway.close();
  await upstream.close();
});

// Page scripts are plain JavaScript text: what runs in the page is exactly this, not a transpiled copy.
const CROSS_ORIGIN_ATTEMPTS = `async ({ base, token }) => {
  const attempt = async (url, init) => {
    try {
      const response = await fetch(url, init);
      return { outcome: 'answered', status: response.status, type: response.type, text: await response.text() };
    } catch (error) {
      return { outcome: 'rejected', error: String(error) };
    }
  };
  const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'from a web page' }] });
  return {
    chat: await attempt(base + '/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' }, body }),
    models: await attempt(base + '/v1/models', { headers: { authorization: 'Bearer ' + token } }),
    health: await attempt(base + '/health', {}),
    simplePost: await attempt(base + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body }),
    noCors: await attempt(base + '/v1/chat/completions', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }),
  };
}`;

const SAME_ORIGIN_MODELS = `async (token) => {
  const response = await fetch('/v1/models', { headers: { authorization: 'Bearer ' + token } });
  return { status: response.status, body: await response.text() };
}`;

interface Attempt {
  outcome: 'rejected' | 'answered';
  status?: number;
  type?: string;
  text?: string;
  error?: string;
}

test('a page of another origin cannot call the gateway with fetch, even knowing the token', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${pagePort}/`);
    const seenBefore = upstream.requests.length;
    const attempts = (await page.evaluate(`(${CROSS_ORIGIN_ATTEMPTS})(${JSON.stringify({ base: `http://127.0.0.1:${gateway.port}`, token: TEST_TOKEN })})`)) as Record<string, Attempt>;
    for (const name of ['chat', 'models', 'health', 'simplePost']) {
      const attempt = attempts[name] as Attempt;
      assert.equal(attempt.outcome, 'rejected', `${name}: ${JSON.stringify(attempt)}`);
      assert.match(attempt.error ?? '', /TypeError|Failed to fetch/);
    }
    // no-cors resolves, but opaque: no status, no body.
    assert.deepEqual(attempts.noCors, { outcome: 'answered', status: 0, type: 'opaque', text: '' });
    assert.equal(upstream.requests.length, seenBefore, 'a request from the page reached the upstream');
  } finally {
    await page.close();
  }
});

test('a DNS-rebinding page (evil.example now resolving to 127.0.0.1, same origin as the port) is refused by the Host check', async () => {
  const page = await browser.newPage();
  try {
    // After the rebinding, the attacker's origin http://evil.example:PORT is the gateway's socket:
    // the page is whatever the gateway answered for `/`, and its scripts run as that origin.
    await page.goto(`http://evil.example:${gateway.port}/`);
    const seenBefore = upstream.requests.length;
    const answer = (await page.evaluate(`(${SAME_ORIGIN_MODELS})(${JSON.stringify(TEST_TOKEN)})`)) as { status: number; body: string };
    assert.equal(answer.status, 403, answer.body);
    assert.equal(JSON.parse(answer.body).error.code, 'host_not_allowed');
    assert.equal(upstream.requests.length, seenBefore);
  } finally {
    await page.close();
  }
});

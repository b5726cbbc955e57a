import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Express } from 'express';
import { createApp } from '../../proxy/server/create-app.js';
import { withFastLanes, type FastLane } from '../../proxy/server/fast-lane.js';
import { geminiFastLane } from '../../proxy/routes/gemini/mount.js';
import type { SecurityOptions } from '../../proxy/server/security.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { send, type Answer } from '../faults/fault-harness.js';

// Every client dialect's model route has a fast lane (proxy/server/fast-lane.ts) beside express's
// mount of the same route. The gateway (fast lanes in front of its express app) and its express app
// alone, on one gateway context, answer alike: the same status and the same error shape, for a
// served request and for each guard's refusal.
let upstream: FakeUpstream;
let gateway: RunningGateway;
let expressOnly: { server: Server; port: number };

const securityAt = (port: () => number): SecurityOptions => ({ port, extraHostNames: [], allowedOrigins: () => [], tokens: gateway.context.tokens });

before(async () => {
  upstream = await new FakeUpstream().on('POST /v1/chat/completions', (_request, response) => sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'))).start();
  gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } } });
  let port = 0;
  const server = createServer(createApp(gateway.context, securityAt(() => port)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  expressOnly = { server, port };
});

after(async () => {
  expressOnly.server.closeAllConnections();
  await new Promise((resolve) => expressOnly.server.close(resolve));
  await gateway.close();
  await upstream.close();
});

const prompt = 'hi';
const geminiBody = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] });
const LANES = [
  { name: 'chat completions', path: '/v1/chat/completions', body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }] }) },
  { name: 'Anthropic messages', path: '/v1/messages', body: JSON.stringify({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: prompt }] }) },
  { name: 'Responses', path: '/v1/responses', body: JSON.stringify({ model: 'gpt-4o', input: prompt, store: false }) },
  { name: 'Gemini under /v1beta', path: '/v1beta/models/gpt-4o:generateContent', body: geminiBody },
  { name: 'Gemini under /v1beta, streamed', path: '/v1beta/models/gpt-4o:streamGenerateContent?alt=sse', body: geminiBody },
  { name: 'Gemini under /v1 (Google SDK), a model with a slash', path: '/v1/models/modapi%2Fgpt-4o:generateContent', body: geminiBody },
];

/** The keys of an error body two levels down, values left out: an answer's shape in any dialect. */
const shapeOf = (answer: Answer): string => {
  if (answer.status === 200) return 'served';
  const keys = (value: unknown, depth: number): unknown =>
    value && typeof value === 'object' && !Array.isArray(value) && depth > 0 ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, keys((value as Record<string, unknown>)[key], depth - 1)])) : typeof value;
  return JSON.stringify(keys(JSON.parse(answer.body), 2));
};

const CASES: { name: string; headers?: Record<string, string>; body?: string }[] = [
  { name: 'served' },
  { name: 'a foreign Host', headers: { host: 'evil.example' } },
  { name: 'a browser Origin not listed', headers: { origin: 'http://evil.example' } },
  { name: 'a wrong token', headers: { authorization: 'Bearer wrong' } },
  { name: 'a body that is not JSON', body: '{"model":' },
];

for (const lane of LANES) {
  test(`${lane.name}: the fast lane and express answer alike`, async () => {
    for (const { name, headers, body } of CASES) {
      const options = { path: lane.path, body: body ?? lane.body, headers: headers ?? {} };
      const fast = await send({ ...options, port: gateway.port });
      const viaExpress = await send({ ...options, port: expressOnly.port });
      assert.equal(fast.status, viaExpress.status, `${name}: ${fast.body} / ${viaExpress.body}`);
      assert.equal(shapeOf(fast), shapeOf(viaExpress), `${name}: ${fast.body} / ${viaExpress.body}`);
      if (name === 'served') assert.equal(fast.status, 200, fast.body);
      else assert.ok(fast.status >= 400 && fast.status < 500, `${name}: ${fast.status}`);
      if (name === 'served') assert.ok(fast.body.includes(fixtureText()), `${name}: the upstream's answer reaches the client`);
    }
  });
}

const fixtureText = (): string => (fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json') as { choices: { message: { content: string } }[] }).choices[0]!.message.content.slice(0, 20);

test('a query string stays with the lane: Gemini reads alt=sse and ?key= from it', async () => {
  const path = '/v1beta/models/gpt-4o:streamGenerateContent?alt=sse&key=';
  const withKey = await send({ port: gateway.port, path: `${path}${encodeURIComponent(TEST_TOKEN)}`, body: geminiBody, headers: { authorization: '' } });
  assert.equal(withKey.status, 200, withKey.body);
  assert.match(String(withKey.headers['content-type']), /text\/event-stream/);
  const refused = await send({ port: gateway.port, path: `${path}wrong`, body: geminiBody, headers: { authorization: '' } });
  assert.equal(refused.status, 401);
});

test('the lanes take their own paths and leave the rest to express', () => {
  const lane = geminiFastLane(gateway.context, securityAt(() => gateway.port), []);
  assert.deepEqual(lane.match('/v1beta/models/anthropic/claude-sonnet-4-5:streamGenerateContent'), { rest: ['anthropic', 'claude-sonnet-4-5:streamGenerateContent'] });
  assert.deepEqual(lane.match('/v1/models/anthropic%2Fclaude-sonnet-4-5:generateContent'), { rest: ['anthropic/claude-sonnet-4-5:generateContent'] });
  assert.deepEqual(lane.match('/v1beta/models/ollama/llama3.2:3b:generateContent'), { rest: ['ollama', 'llama3.2:3b:generateContent'] });
  for (const other of ['/v1beta/models/gpt-4o:countTokens', '/v1beta/models/gpt-4o:embedContent', '/v1beta/models/gpt-4o', '/v1beta/models/', '/v1/models/gpt-4o:generateContent/', '/v1beta/models/%E0%A4%A:generateContent', '/v1/chat/completions']) {
    assert.equal(lane.match(other), undefined, other);
  }
  let expressCalls = 0;
  let laneCalls = 0;
  const counting: FastLane = { match: (path) => (path === '/lane' ? {} : undefined), chain: [() => void (laneCalls += 1)], onError: () => undefined };
  const listener = withFastLanes((() => void (expressCalls += 1)) as unknown as Express, [counting]);
  const call = (method: string, url: string) => listener({ method, url, headers: {} } as never, { locals: {} } as never);
  call('POST', '/lane?x=1');
  call('POST', '/lane/');
  call('GET', '/lane');
  assert.deepEqual({ laneCalls, expressCalls }, { laneCalls: 1, expressCalls: 2 });
});

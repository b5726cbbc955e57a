import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import { backoffMs, isRetryableStatus, NO_RETRIES, retryAfterMs } from '../../proxy/upstream/retry.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents, fixtureJson } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

const completion = fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json');
const failure = (response: ServerResponse, status: number, headers: Record<string, string> = {}) =>
  sendJson(response, status, { error: { message: `failing on cue with ${status}`, type: 'server_error', code: null, param: null } }, headers);

/** Answers each request with the next step of a script; the last step repeats. */
const scripted = (upstream: FakeUpstream, route: string, steps: ((response: ServerResponse, body: any) => void | Promise<void>)[]) => {
  let calls = 0;
  upstream.on(route, async (request, response) => {
    const step = steps[Math.min(calls, steps.length - 1)]!;
    calls += 1;
    await step(response, request.json());
  });
  return () => calls;
};

const chat = (gateway: RunningGateway, body: Record<string, unknown> = {}) =>
  fetch(`${gateway.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

test('Retry-After in seconds or as an HTTP date; backoff with full jitter; which statuses retry', () => {
  const now = Date.parse('2026-11-22T00:00:00Z');
  assert.equal(retryAfterMs('1', now), 1000);
  assert.equal(retryAfterMs('0.5', now), 500);
  assert.equal(retryAfterMs('Sun, 22 Nov 2026 00:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Sat, 21 Nov 2026 00:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
  const policy = { ...NO_RETRIES, maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1_000 };
  assert.deepEqual([0, 1, 2, 3, 4].map((attempt) => backoffMs(attempt, policy, () => 0.999999)), [99, 199, 399, 799, 999]);
  assert.equal(backoffMs(3, policy, () => 0), 0);
  assert.deepEqual([429, 500, 502, 503, 504, 529].map(isRetryableStatus), [true, true, true, true, true, true]);
  assert.deepEqual([400, 401, 404, 501, 505].map(isRetryableStatus), [false, false, false, false, false]);
});

describe('retries against an upstream failing on cue', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await new FakeUpstream().start();
    gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } }, retries: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 40 } });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  test('503 then 200: the client sees only the answer', async () => {
    const calls = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 503), (response) => sendJson(response, 200, completion)]);
    const answer = await chat(gateway);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as typeof completion).id, completion.id);
    assert.equal(calls(), 2);
    const record = gateway.context.ledger!.recent(1)[0]!;
    assert.deepEqual([record.status, record.completionTokens], [200, completion.usage.completion_tokens]);
  });

  test('429 with Retry-After: 1 is waited for', async () => {
    const calls = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 429, { 'retry-after': '1' }), (response) => sendJson(response, 200, completion)]);
    const started = performance.now();
    const answer = await chat(gateway);
    const elapsed = performance.now() - started;
    assert.equal(answer.status, 200);
    assert.equal(calls(), 2);
    assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
  });

  test('a connection reset before the answer is retried', async () => {
    const calls = scripted(upstream, 'POST /v1/chat/completions', [(response) => void response.socket?.destroy(), (response) => sendJson(response, 200, completion)]);
    assert.equal((await chat(gateway)).status, 200);
    assert.equal(calls(), 2);
  });

  test('a stream is retried before its first byte, and arrives whole', async () => {
    const events = fixtureEvents('openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse');
    const calls = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 529), (response) => sendEvents(response, events)]);
    const answer = await chat(gateway, { model: 'gpt-4o', stream: true });
    assert.equal(answer.status, 200);
    const text = await answer.text();
    assert.match(text, /data: \[DONE\]/);
    assert.equal(calls(), 2);
    assert.equal(gateway.context.ledger!.recent(1)[0]!.completionTokens, 30);
  });

  test('no retry when Retry-After is beyond the cap: the client gets the 429 and its Retry-After', async () => {
    const calls = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 429, { 'retry-after': '120' })]);
    const answer = await chat(gateway);
    assert.equal(answer.status, 429);
    assert.equal(answer.headers.get('retry-after'), '120');
    assert.equal(calls(), 1);
  });

  test('retries run out: the last failure reaches the client; a 400 is never retried', async () => {
    const failing = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 502)]);
    assert.equal((await chat(gateway)).status, 502);
    assert.equal(failing(), 3, 'one try and two retries');
    const invalid = scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 400)]);
    assert.equal((await chat(gateway)).status, 400);
    assert.equal(invalid(), 1);
  });
});

describe('fallbacks', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const message = fixtureJson('anthropic/message-text-sonnet-4-5.vercel.json');

  before(async () => {
    upstream = await new FakeUpstream().start();
    upstream.on('POST /v1/messages', (_request, response) => sendJson(response, 200, message));
    gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY } },
      fallbacks: { 'gpt-4o': ['no-such-provider/model', 'anthropic/claude-sonnet-4-5'] },
      tokens: [
        { name: 'default', token: TEST_TOKEN },
        { name: 'openai-only', token: 'mk-local-openai-only-0123456789abcdef', allowedModels: ['gpt-*'] },
      ],
    });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  test('the primary fails with 500: the fallback serves, the headers and the ledger say which', async () => {
    scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 500)]);
    const answer = await chat(gateway, { model: 'gpt-4o' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-modapi-provider'), 'anthropic');
    assert.equal(answer.headers.get('x-modapi-model'), 'claude-sonnet-4-5');
    const body = (await answer.json()) as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0]!.message.content, message.content[0].text);
    const record = gateway.context.ledger!.recent(1)[0]!;
    assert.deepEqual([record.provider, record.model, record.requestedModel, record.status], ['anthropic', 'claude-sonnet-4-5', 'gpt-4o', 200]);
    assert.equal(record.promptTokens, message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0));
  });

  test('a streamed request falls back too, before its first byte', async () => {
    const sse = fixtureEvents('anthropic/stream-text-sonnet-4-5.vercel.jsonl');
    upstream.on('POST /v1/messages', (request, response) => (request.json().stream ? sendEvents(response, sse) : sendJson(response, 200, message)));
    scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 503)]);
    const answer = await chat(gateway, { model: 'gpt-4o', stream: true });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-modapi-provider'), 'anthropic');
    assert.match(await answer.text(), /data: \[DONE\]/);
    assert.equal(gateway.context.ledger!.recent(1)[0]!.provider, 'anthropic');
  });

  test('the primary serving: its own headers; a 400 does not fall back', async () => {
    scripted(upstream, 'POST /v1/chat/completions', [(response) => sendJson(response, 200, completion)]);
    const served = await chat(gateway, { model: 'gpt-4o' });
    assert.equal(served.headers.get('x-modapi-provider'), 'modapi');
    assert.equal(served.headers.get('x-modapi-model'), 'gpt-4o');
    scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 400)]);
    assert.equal((await chat(gateway, { model: 'gpt-4o' })).status, 400);
  });

  test("a fallback the token may not use is skipped: the primary's failure reaches the client", async () => {
    scripted(upstream, 'POST /v1/chat/completions', [(response) => failure(response, 500)]);
    const answer = await fetch(`${gateway.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer mk-local-openai-only-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(answer.status, 500);
    assert.equal(gateway.context.ledger!.recent(1)[0]!.provider, 'modapi');
  });
});

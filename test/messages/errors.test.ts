import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { sendJson } from '../support/fake-upstream.js';
import { fixtureJson, fixtureText } from '../support/fixtures.js';
import { TEST_KEY, TEST_TOKEN } from '../support/gateway.js';
import { parseSse } from './anthropic-event-validator.js';
import { postRaw, startMessagesGateway, type MessagesGateway } from './messages-gateway.js';

const OPENAI_429 = 'openai/error-429-request-too-large-tpm-tokens.climb-13.json';
const ANTHROPIC_429 = 'anthropic/error-429-rate-limit.mycoder-62.json';
const ANTHROPIC_529 = 'anthropic/error-529-overloaded.issue-616.json';

let harness: MessagesGateway;

/** The upstream's answer chosen by the model id the gateway sends it. */
before(async () => {
  harness = await startMessagesGateway({}, {}, {
    'POST /v1/chat/completions': async (request, response) => {
      const model = request.json().model;
      if (model === 'limited' || model === 'limited-with-fallback') sendJson(response, 429, fixtureText(OPENAI_429), { 'retry-after': '7' });
      else if (model === 'broken-mid-stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"id":"c1","object":"chat.completion.chunk","model":"x","choices":[{"index":0,"delta":{"content":"par"},"finish_reason":null}]}\n\n');
        response.end('data: {"error":{"message":"The server had an error while processing your request.","type":"server_error"}}\n\n');
      } else if (model === 'leaky') sendJson(response, 401, { error: { message: `Incorrect API key provided: ${TEST_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
      else if (model === 'leaky-mid-stream') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"id":"c2","object":"chat.completion.chunk","model":"x","choices":[{"index":0,"delta":{"content":"par"},"finish_reason":null}]}\n\n');
        response.end(`data: {"error":{"message":"key ${TEST_KEY} was revoked","type":"server_error"}}\n\n`);
      } else sendJson(response, 200, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json'));
    },
    'POST /v1/messages': async (request, response) => {
      const model = request.json().model;
      if (model === 'claude-limited') sendJson(response, 429, fixtureText(ANTHROPIC_429), { 'retry-after': '12' });
      else sendJson(response, 529, fixtureText(ANTHROPIC_529));
    },
  }, { fallbacks: { 'limited-with-fallback': ['gpt-4o'] } });
});

after(async () => {
  await harness.close();
});

const assertAnthropicError = (text: string, type: string): { type: string; error: { type: string; message: string } } => {
  const body = JSON.parse(text);
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, type);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.equal('code' in body.error, false, "not OpenAI's shape");
  return body;
};

test('no local token: an Anthropic-shaped 401 (authentication_error), the SDK raising AuthenticationError', async () => {
  const raw = await postRaw(`${harness.root}/v1/messages`, { model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, {});
  assert.equal(raw.status, 401);
  assertAnthropicError(raw.text, 'authentication_error');
  const wrong = await postRaw(`${harness.root}/v1/messages/count_tokens`, { model: 'gpt-4o', messages: [] }, { 'x-api-key': 'not-the-token' });
  assert.equal(wrong.status, 401);
  assertAnthropicError(wrong.text, 'authentication_error');
  const client = new Anthropic({ baseURL: harness.root, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(client.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), Anthropic.AuthenticationError);
  assert.equal(harness.upstream.requests.length, 0, 'nothing reached the upstream');
});

test('a Host or Origin refusal on the Anthropic routes is Anthropic-shaped too (permission_error)', async () => {
  const refused = (headers: Record<string, string>, path = '/v1/messages') =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const body = JSON.stringify({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
      const outgoing = httpRequest({ host: '127.0.0.1', port: harness.gateway.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_TOKEN, ...headers } }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  for (const [headers, path] of [[{ host: `rebound.example:${harness.gateway.port}` }, '/v1/messages'], [{ origin: 'https://evil.example' }, '/v1/messages/count_tokens']] as const) {
    const answer = await refused(headers, path);
    assert.equal(answer.status, 403);
    assertAnthropicError(answer.text, 'permission_error');
  }
  const openai = await refused({ origin: 'https://evil.example' }, '/v1/chat/completions');
  assert.equal(openai.status, 403);
  assert.equal(JSON.parse(openai.text).error.code, 'origin_not_allowed');
});

test('the OpenAI routes keep their own error shape', async () => {
  const raw = await postRaw(`${harness.root}/v1/chat/completions`, { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, {});
  assert.equal(raw.status, 401);
  assert.equal(typeof JSON.parse(raw.text).error.code, 'string');
});

test('unknown model: an Anthropic-shaped 404 (not_found_error)', async () => {
  const raw = await postRaw(`${harness.root}/v1/messages`, { model: 'nosuchprovider/some-model', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(raw.status, 404);
  const body = assertAnthropicError(raw.text, 'not_found_error');
  assert.match(raw.headers.get('request-id') ?? '', /^req_/);
  assert.equal((body as { request_id?: string }).request_id, raw.headers.get('request-id'));
  assert.match(body.error.message, /nosuchprovider\/some-model/);
  await assert.rejects(harness.client.messages.create({ model: 'nosuchprovider/x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), Anthropic.NotFoundError);
});

test('upstream 429: an Anthropic-shaped 429 (rate_limit_error) with retry-after, streamed or not', async () => {
  for (const stream of [false, true]) {
    const raw = await postRaw(`${harness.root}/v1/messages`, { model: 'limited', stream, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(raw.status, 429, `stream: ${stream}`);
    assert.equal(raw.headers.get('retry-after'), '7');
    const body = assertAnthropicError(raw.text, 'rate_limit_error');
    assert.equal(body.error.message, JSON.parse(fixtureText(OPENAI_429)).error.message);
  }
  await assert.rejects(harness.client.messages.create({ model: 'limited', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), Anthropic.RateLimitError);
});

test('an Anthropic upstream refusal reaches the client with its status, type, message and retry-after', async () => {
  const limited = await postRaw(`${harness.root}/v1/messages`, { model: 'anthropic/claude-limited', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '12');
  const recorded = JSON.parse(fixtureText(ANTHROPIC_429));
  assert.equal(assertAnthropicError(limited.text, recorded.error.type).error.message, recorded.error.message);
  const overloaded = await postRaw(`${harness.root}/v1/messages`, { model: 'anthropic/claude-busy', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(overloaded.status, 529, "Anthropic's own overload status, which its clients retry");
  assert.equal(assertAnthropicError(overloaded.text, 'overloaded_error').error.message, JSON.parse(fixtureText(ANTHROPIC_529)).error.message);
});

test('a rate-limited model falls back to the configured next one', async () => {
  const message = await harness.client.messages.create({ model: 'limited-with-fallback', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(message.content[0]?.type === 'text' && message.content[0].text, fixtureJson('openai/chat-completion-text-gpt-4-1-nano.vercel.json').choices[0].message.content);
  assert.deepEqual(harness.upstream.requests.slice(-2).map((request) => request.json().model), ['limited-with-fallback', 'gpt-4o']);
});

test('an upstream error mid-stream becomes a final `event: error` the SDK raises', async () => {
  const raw = await postRaw(`${harness.root}/v1/messages`, { model: 'broken-mid-stream', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(raw.status, 200);
  const events = parseSse(raw.text);
  assert.equal(events[0]?.name, 'message_start');
  const last = events.at(-1)!;
  assert.equal(last.name, 'error');
  assert.equal(last.data.type, 'error');
  assert.equal(last.data.error.type, 'api_error');
  assert.match(last.data.error.message, /server had an error/);
  await assert.rejects(harness.client.messages.stream({ model: 'broken-mid-stream', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).finalMessage(), /server had an error/);
});

test('a malformed body is an Anthropic-shaped 400; unknown fields are never one', async () => {
  const missing = await postRaw(`${harness.root}/v1/messages`, { model: 'gpt-4o', max_tokens: 10 });
  assert.equal(missing.status, 400);
  assertAnthropicError(missing.text, 'invalid_request_error');
  const notJson = await fetch(`${harness.root}/v1/messages`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: '{"model":' });
  assert.equal(notJson.status, 400);
  assertAnthropicError(await notJson.text(), 'invalid_request_error');
  const extra = await postRaw(`${harness.root}/v1/messages?beta=true`, {
    model: 'gpt-4o',
    max_tokens: 32000,
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high' },
    context_management: { edits: [] },
    metadata: { user_id: 'x' },
    service_tier: 'auto',
    container: null,
    some_future_field: { nested: true },
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } }, { type: 'future_block', x: 1 }] }],
  });
  assert.equal(extra.status, 200);
  assert.equal(JSON.parse(extra.text).type, 'message');
});

test('an upstream echoing the key never passes it on to the client', async () => {
  const whole = await postRaw(`${harness.root}/v1/messages`, { model: 'leaky', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(whole.status, 401);
  assert.match(assertAnthropicError(whole.text, 'authentication_error').error.message, /\[redacted\]/);
  const streamed = await postRaw(`${harness.root}/v1/messages`, { model: 'leaky-mid-stream', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  assert.match(streamed.text, /event: error/);
  for (const text of [whole.text, streamed.text]) assert.equal(text.includes(TEST_KEY), false);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gatewayOptionsFromCli } from '../../proxy/cli/serve.js';
import type { ConfigFile } from '../../proxy/config/config-file.js';
import { silentLogger } from '../../proxy/logger.js';
import { startGateway, type RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream, sendJson } from '../support/fake-upstream.js';
import { TEST_KEY } from '../support/gateway.js';

const token = (name: string) => `mk-local-${name}-0123456789abcdef0123`;

let anthropic: FakeUpstream;
let gateway: RunningGateway;

before(async () => {
  anthropic = await new FakeUpstream().on('POST /v1/messages/count_tokens', (_request, response) => sendJson(response, 200, { input_tokens: 12 })).start();
  // As the standalone gateway reads it from --config.
  const config: ConfigFile = {
    providers: { anthropic: { baseUrl: anthropic.url(''), apiKey: TEST_KEY } },
    tokens: [
      { name: 'openai-only', token: token('openai-only'), allowedModels: ['gpt-4o*'] },
      { name: 'slow', token: token('slow'), requestsPerMinute: 2 },
      { name: 'open', token: token('open') },
    ],
  };
  const { options } = gatewayOptionsFromCli({ command: 'serve', host: '127.0.0.1', port: 0, help: false }, {}, config);
  gateway = await startGateway({ ...options, log: silentLogger });
});

after(async () => {
  await gateway.close();
  await anthropic.close();
});

const countTokens = (secret: string, model: string) =>
  fetch(`http://127.0.0.1:${gateway.port}/v1/messages/count_tokens`, {
    method: 'POST',
    headers: { 'x-api-key': secret, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'How many tokens is this?' }] }),
  });

const anthropicError = async (answer: Response) => (await answer.json()) as { type: string; error: { type: string; message: string } };

test('a token whose allowed models leave the model out gets 403, and the Anthropic upstream sees no request and no key', async () => {
  const refused = await countTokens(token('openai-only'), 'anthropic/claude-sonnet-4-5');
  assert.equal(refused.status, 403);
  const body = await anthropicError(refused);
  assert.deepEqual([body.type, body.error.type], ['error', 'permission_error']);
  assert.match(body.error.message, /may not use the model 'anthropic\/claude-sonnet-4-5'/);
  assert.equal(anthropic.requests.length, 0);
  // An allowed model is counted (an estimate: the default provider has no counting endpoint).
  const allowed = await countTokens(token('openai-only'), 'gpt-4o');
  assert.equal(allowed.status, 200);
  assert.ok(((await allowed.json()) as { input_tokens: number }).input_tokens > 0);
  assert.equal(anthropic.requests.length, 0);
});

test('an allowed token is counted by Anthropic with the provider key', async () => {
  const seen = anthropic.requests.length;
  const answer = await countTokens(token('open'), 'anthropic/claude-sonnet-4-5');
  assert.equal(answer.status, 200);
  assert.deepEqual(await answer.json(), { input_tokens: 12 });
  assert.equal(anthropic.requests.length, seen + 1);
  assert.equal(anthropic.last().headers['x-api-key'], TEST_KEY);
});

test('count_tokens takes from the token request rate and answers 429 with Retry-After past it', async () => {
  const seen = anthropic.requests.length;
  for (let index = 0; index < 2; index += 1) assert.equal((await countTokens(token('slow'), 'anthropic/claude-sonnet-4-5')).status, 200);
  const limited = await countTokens(token('slow'), 'anthropic/claude-sonnet-4-5');
  assert.equal(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
  assert.deepEqual((await anthropicError(limited)).error.type, 'rate_limit_error');
  assert.equal(anthropic.requests.length, seen + 2, 'the limited request never reached Anthropic');
  // The same minute covers the token's other calls.
  assert.equal((await countTokens(token('slow'), 'gpt-4o')).status, 429);
});

test('count_tokens stays free: no ledger record', () => {
  assert.equal(gateway.context.ledger!.recent(10).length, 0);
});

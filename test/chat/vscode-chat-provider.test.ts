import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { allowanceFrom, type ModelAllowance } from '../../extension/allowed-models.js';
import { ModapiChatProvider } from '../../extension/language-models/chat-provider.js';
import type { LanguageModelChatInformation, LanguageModelResponsePart } from '../../extension/language-models/lm-provider-api.js';
import { Governance } from '../../proxy/governance/governance.js';
import { silentLogger } from '../../proxy/logger.js';
import type { GatewayContext } from '../../proxy/server/gateway-context.js';
import { UsageRollups } from '../../proxy/usage/usage-rollups.js';
import { cancellationToken, LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart, message, partFactory, Role } from '../extension/support/fake-lm-api.js';
import { FakeUpstream, sendEvents, sendJson } from '../support/fake-upstream.js';
import { fixtureEvents } from '../support/fixtures.js';
import { TEST_KEY } from '../support/gateway.js';
import { inProcessGateway } from './in-process-gateway.js';

/** VS Code's chat calling the provider, answered by the in-process gateway over a fake upstream. */

const TEXT_STREAM = 'openai/chat-stream-text-include-usage-gpt-4o.openai-python.sse';
const TOOL_STREAM = 'openai/chat-stream-tool-call-non-strict.openai-python.sse';
let upstream: FakeUpstream;

before(async () => {
  upstream = await new FakeUpstream()
    .on('POST /v1/chat/completions', async (request, response) => {
      const { model, messages } = request.json();
      if (model === 'gpt-4o-tools' && messages.at(-1).role !== 'tool') await sendEvents(response, fixtureEvents(TOOL_STREAM));
      else if (model === 'gpt-4o-slow') await sendEvents(response, fixtureEvents(TEXT_STREAM), 200);
      else if (model === 'gpt-4o-leaky') sendJson(response, 400, { error: { message: `Incorrect API key provided: ${TEST_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      else await sendEvents(response, fixtureEvents(TEXT_STREAM));
    })
    .start();
});

after(() => upstream.close());

const setup = (withKey = true, allowance?: ModelAllowance) => {
  const { gateway, records } = inProcessGateway({ modapi: { baseUrl: upstream.url(), apiKey: withKey ? TEST_KEY : undefined } });
  const provider = new ModapiChatProvider({ gatewayContext: async () => gateway, preferences: () => ({ favourites: [], recent: [] }), parts: partFactory as never, ...(allowance ? { allowance: () => allowance } : {}) });
  return { gateway, records, provider };
};

const model = (id: string): LanguageModelChatInformation => ({ id, name: id, family: id, version: id, maxInputTokens: 100_000, maxOutputTokens: 4_000, capabilities: { toolCalling: true } });

const ask = async (provider: ModapiChatProvider, id: string, messages = [message(Role.User, new LanguageModelTextPart('hi'))], token = cancellationToken(), options = {}) => {
  const parts: LanguageModelResponsePart[] = [];
  await provider.provideLanguageModelChatResponse(model(id), messages, { toolMode: 1, ...options }, { report: (part) => parts.push(part) }, token);
  return parts;
};

const textOf = (parts: LanguageModelResponsePart[]): string => parts.map((part) => (part instanceof LanguageModelTextPart ? part.value : '')).join('');

test('an answer streams back as text parts and is one ledger record for the client vscode-chat', async () => {
  const { records, provider } = setup();
  const parts = await ask(provider, 'gpt-4o', [message(Role.System, new LanguageModelTextPart('Be brief.')), message(Role.User, new LanguageModelTextPart('hi'))]);
  assert.ok(parts.length > 3, 'streamed in several parts');
  assert.match(textOf(parts), /^I'm unable to provide/);
  assert.deepEqual(upstream.last().json().messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
  assert.equal(upstream.last().headers.authorization, `Bearer ${TEST_KEY}`);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.client, 'vscode-chat');
  assert.equal(records[0]!.model, 'gpt-4o');
  assert.equal(records[0]!.status, 200);
  assert.equal(records[0]!.promptTokens, 14);
  assert.equal(records[0]!.completionTokens, 30);
});

test('a tool call comes back whole with its input parsed, and its result goes up in the follow-up', async () => {
  const { records, provider } = setup();
  const tools = [{ name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }];
  const first = await ask(provider, 'gpt-4o-tools', undefined, undefined, { tools });
  const calls = first.filter((part) => part instanceof LanguageModelToolCallPart) as LanguageModelToolCallPart[];
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.name, 'get_weather');
  assert.deepEqual(calls[0]!.input, { city: 'New York City' });
  assert.equal(upstream.last().json().tools[0].function.name, 'get_weather');

  await ask(provider, 'gpt-4o-tools', [
    message(Role.User, new LanguageModelTextPart('hi')),
    message(Role.Assistant, calls[0]!),
    message(Role.User, new LanguageModelToolResultPart(calls[0]!.callId, [new LanguageModelTextPart('Sunny, 21 °C')])),
  ], undefined, { tools });
  const followUp = upstream.last().json().messages;
  assert.deepEqual(followUp.at(-1), { role: 'tool', tool_call_id: calls[0]!.callId, content: 'Sunny, 21 °C' });
  assert.equal(followUp.at(-2).tool_calls[0].function.arguments, '{"city":"New York City"}');
  assert.deepEqual(records.map((record) => record.client), ['vscode-chat', 'vscode-chat']);
});

test('cancelling the token aborts the upstream request at once, and the run is still recorded', async () => {
  const { records, provider } = setup();
  const token = cancellationToken();
  const started = Date.now();
  const parts: LanguageModelResponsePart[] = [];
  await provider.provideLanguageModelChatResponse(model('gpt-4o-slow'), [message(Role.User, new LanguageModelTextPart('hi'))], { toolMode: 1 }, {
    report: (part) => {
      parts.push(part);
      token.cancel();
    },
  }, token);
  assert.equal(parts.length, 1, 'nothing arrives after the cancellation');
  assert.ok(Date.now() - started < 5_000, 'the slow stream (34 chunks, 200 ms each) was not read to its end');
  assert.equal(records.length, 1);
  assert.equal(records[0]!.errorCode, 'client_closed');
  assert.equal(token.listenerCount(), 0, 'the cancellation listener is removed');
});

test('an upstream error is thrown as the gateway public error, the key redacted', async () => {
  const { records, provider } = setup();
  await assert.rejects(ask(provider, 'gpt-4o-leaky'), (error: Error & { code?: string }) => {
    assert.doesNotMatch(error.message, new RegExp(TEST_KEY));
    assert.match(error.message, /Incorrect API key provided: \[redacted\]/);
    assert.equal(error.code, 'invalid_api_key');
    return true;
  });
  assert.equal(records[0]!.client, 'vscode-chat');
  assert.equal(records[0]!.status, 400);
});

test('no key: no models to offer, and a request says how to set the key', async () => {
  const { provider } = setup(false);
  assert.deepEqual(await provider.provideLanguageModelChatInformation({ silent: true }), []);
  await assert.rejects(ask(provider, 'gpt-4o'), /Set API Key/);
  const keyed = await setup().provider.provideLanguageModelChatInformation({ silent: true });
  assert.ok(keyed.length > 5 && keyed.every((entry) => entry.isUserSelectable && entry.capabilities.toolCalling));
});

test('budgets apply as for any client: an exhausted budget refuses before the upstream, naming the budget', async () => {
  const { gateway, records, provider } = setup();
  (gateway as GatewayContext).governance = new Governance(new UsageRollups(), { dailyUsd: 0.000001 }, silentLogger);
  const before = upstream.requests.length;
  await assert.rejects(ask(provider, 'gpt-4o'), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'budget_exceeded');
    assert.match(error.message, /daily/i);
    return true;
  });
  assert.equal(upstream.requests.length, before);
  assert.equal(records[0]!.client, 'vscode-chat');
  assert.equal(records[0]!.status, 429);
});

test('modapi.workspace.allowedModels: only matching models are offered; another is refused before the upstream, naming the setting and folder', async () => {
  const allowance = allowanceFrom({ workspace: { where: 'the folder "repo" (.vscode/settings.json)', value: ['gpt-4o-mini'] } });
  const { provider, records } = setup(true, allowance);
  const offered = (await provider.provideLanguageModelChatInformation({ silent: true })).map((entry) => entry.id);
  assert.deepEqual(offered, ['gpt-4o-mini']);
  const before = upstream.requests.length;
  await assert.rejects(ask(provider, 'gpt-4o'), { message: 'The model gpt-4o is not allowed here: "modapi.workspace.allowedModels" in the folder "repo" (.vscode/settings.json) allows only gpt-4o-mini.' });
  assert.equal(upstream.requests.length, before);
  assert.equal(records.length, 0);
});

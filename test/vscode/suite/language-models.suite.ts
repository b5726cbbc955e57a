import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../../../extension/services.js';
import { FakeUpstream, sendEvents, sendJson } from '../../support/fake-upstream.js';
import { until, type IntegrationTest } from './run-in-order.js';

/** VS Code's language model API (1.104 and later) reaching ModAPI's provider: what VS Code's own
 * chat and other extensions call. Run in code-server 4.104 by test/e2e/language-models.test.ts.
 * Not here: cancellation. VS Code 1.104 hands the provider a token that can no longer fire once the
 * request has started (its `$startChatRequest` returns before the answer does), so a caller's
 * cancel never reaches any provider there (VS Code 1.139 passes it on: test/e2e/vscode-chat-view.test.ts);
 * the provider's own handling of its token is tested in-process (test/chat/vscode-chat-provider.test.ts). */

const KEY = 'sk-lm-suite-key-0123456789abcdef';
const WORDS = ['Hello', ' from', ' the', ' fake', ' upstream', '.'];

let services: ExtensionServices;
let upstream: FakeUpstream;
let model: vscode.LanguageModelChat;

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-lm', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

const usage = `data: ${JSON.stringify({ id: 'chatcmpl-lm', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 } })}\n\n`;

const answerText = (response: ServerResponse): Promise<void> =>
  sendEvents(response, [chunk({ role: 'assistant', content: '' }), ...WORDS.map((word) => chunk({ content: word })), chunk({}, 'stop'), usage, 'data: [DONE]\n\n']);

const answerToolCall = (response: ServerResponse): Promise<void> =>
  sendEvents(response, [
    chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_lm_1', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"README.md"}' } }] }),
    chunk({}, 'tool_calls'),
    usage,
    'data: [DONE]\n\n',
  ]);

const ledger = async (): Promise<{ client: string; model: string; status: number; errorCode: string | null }[]> => (await services.gatewayContext()).ledger?.recent(50, 'vscode-chat') ?? [];

const collect = async (response: vscode.LanguageModelChatResponse): Promise<unknown[]> => {
  const parts: unknown[] = [];
  for await (const part of response.stream) parts.push(part);
  return parts;
};

export const languageModelTests: IntegrationTest[] = [
  [
    'without a key the modapi vendor offers no models',
    async () => {
      const extension = vscode.extensions.getExtension<ExtensionServices>('modapi.modapi-vscode');
      assert.ok(extension, 'the extension is installed');
      services = await extension.activate();
      assert.ok(typeof (vscode.lm as unknown as Record<string, unknown>).registerLanguageModelChatProvider === 'function', 'this VS Code has the provider API');
      assert.deepEqual(await vscode.lm.selectChatModels({ vendor: 'modapi' }), []);
    },
  ],
  [
    'with a key, selectChatModels lists the catalog chat models under the modapi vendor',
    async () => {
      upstream = await new FakeUpstream()
        .on('GET /v1/models', (_request, response) => sendJson(response, 200, { object: 'list', data: ['gpt-4o-mini', 'gpt-4o-leaky', 'text-embedding-3-small'].map((id) => ({ id, object: 'model', created: 1, owned_by: 'fake' })) }))
        .on('POST /v1/chat/completions', async (request, response) => {
          const body = request.json();
          if (body.model === 'gpt-4o-leaky') sendJson(response, 401, { error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
          else if (body.tools && body.messages.at(-1).role !== 'tool') await answerToolCall(response);
          else await answerText(response);
        })
        .start();
      await vscode.workspace.getConfiguration('modapi').update('baseUrl', upstream.url(), vscode.ConfigurationTarget.Global);
      await services.secrets.setApiKey(KEY);
      await services.gateway.refresh('language model suite');
      let models: vscode.LanguageModelChat[] = [];
      await until(async () => (models = await vscode.lm.selectChatModels({ vendor: 'modapi' })).length > 0, 'ModAPI models in vscode.lm');
      assert.deepEqual(models.map((entry) => entry.id).sort(), ['gpt-4o-leaky', 'gpt-4o-mini']);
      model = models.find((entry) => entry.id === 'gpt-4o-mini')!;
      assert.equal(model.vendor, 'modapi');
      assert.equal(model.family, 'gpt-4o-mini');
      assert.ok(model.maxInputTokens > 1_000);
    },
  ],
  [
    'sendRequest streams the answer and the ledger records it under vscode-chat',
    async () => {
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Say hello')], {}, new vscode.CancellationTokenSource().token);
      let text = '';
      for await (const fragment of response.text) text += fragment;
      assert.equal(text, WORDS.join(''));
      assert.deepEqual(upstream.last().json().messages, [{ role: 'user', content: 'Say hello' }]);
      const [record] = await ledger();
      assert.equal(record?.client, 'vscode-chat');
      assert.equal(record?.model, 'gpt-4o-mini');
      assert.equal(record?.status, 200);
    },
  ],
  [
    'a tool round trip: the call comes back as a tool call part, its result reaches the upstream',
    async () => {
      const tools: vscode.LanguageModelChatTool[] = [{ name: 'read_file', description: 'Reads a workspace file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
      const first = await collect(await model.sendRequest([vscode.LanguageModelChatMessage.User('What is in README.md?')], { tools, toolMode: vscode.LanguageModelChatToolMode.Auto }));
      const call = first.find((part): part is vscode.LanguageModelToolCallPart => part instanceof vscode.LanguageModelToolCallPart);
      assert.ok(call, `a tool call part among ${JSON.stringify(first)}`);
      assert.equal(call.name, 'read_file');
      assert.deepEqual(call.input, { path: 'README.md' });
      assert.equal(upstream.last().json().tools[0].function.name, 'read_file');
      const followUp = [
        vscode.LanguageModelChatMessage.User('What is in README.md?'),
        vscode.LanguageModelChatMessage.Assistant([call]),
        vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, [new vscode.LanguageModelTextPart('# e2e workspace')])]),
      ];
      const second = await collect(await model.sendRequest(followUp, { tools }));
      assert.ok(second.some((part) => part instanceof vscode.LanguageModelTextPart));
      const sent = upstream.last().json().messages;
      assert.deepEqual(sent.at(-1), { role: 'tool', tool_call_id: call.callId, content: '# e2e workspace' });
      assert.equal(sent.at(-2).tool_calls[0].function.arguments, '{"path":"README.md"}');
    },
  ],
  [
    'an upstream error reaches the caller as the gateway public error, the key redacted',
    async () => {
      const leaky = (await vscode.lm.selectChatModels({ vendor: 'modapi', id: 'gpt-4o-leaky' }))[0]!;
      let message = '';
      try {
        await collect(await leaky.sendRequest([vscode.LanguageModelChatMessage.User('hi')]));
      } catch (error) {
        message = (error as Error).message;
      }
      assert.match(message, /Incorrect API key provided/);
      assert.ok(!message.includes(KEY), message);
      const record = (await ledger()).find((entry) => entry.model === 'gpt-4o-leaky');
      assert.equal(record?.status, 401);
    },
  ],
  [
    'countTokens answers locally with an estimate',
    async () => {
      const before = upstream.requests.length;
      const short = await model.countTokens('hello world');
      const long = await model.countTokens('hello world '.repeat(1_000));
      const message = await model.countTokens(vscode.LanguageModelChatMessage.User('hello world '.repeat(1_000)));
      assert.ok(short > 0 && short < 10, String(short));
      assert.ok(long > 2_000 && long < 4_000, String(long));
      assert.ok(message >= long, String(message));
      assert.equal(upstream.requests.length, before, 'no upstream call');
      await services.secrets.removeApiKey();
      await vscode.workspace.getConfiguration('modapi').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await upstream.close();
    },
  ],
];

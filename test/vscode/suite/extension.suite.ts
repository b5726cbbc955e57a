import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../../../extension/services.js';
import { FakeUpstream, sendJson } from '../../support/fake-upstream.js';
import { until, type IntegrationTest } from './run-in-order.js';

const KEY = 'sk-vscode-suite-key-0123456789';
const COMMANDS = ['setApiKey', 'removeApiKey', 'selectModel', 'openChat', 'showUsage', 'copyGatewayUrl', 'copyLocalToken', 'createLocalToken', 'revokeLocalToken', 'restartGateway', 'addProviderKey', 'showLogs'];

let services: ExtensionServices;
let upstream: FakeUpstream;


const runningUrl = (): string => {
  const state = services.gateway.state;
  assert.equal(state.kind, 'running');
  return state.kind === 'running' ? state.url : '';
};

/** Run in order: later tests build on the key and the gateway earlier ones set up. */
export const integrationTests: IntegrationTest[] = [
  [
    'the extension activates and returns its services',
    async () => {
      const extension = vscode.extensions.getExtension<ExtensionServices>('modapi.modapi-vscode');
      assert.ok(extension, 'the extension is installed');
      services = await extension.activate();
      assert.ok(services.gateway && services.secrets && services.models);
    },
  ],
  [
    'every ModAPI command is registered',
    async () => {
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const command of COMMANDS) assert.ok(registered.has(`modapi.${command}`), `modapi.${command}`);
    },
  ],
  [
    'the gateway starts with a default local token and refuses requests without it',
    async () => {
      await until(() => services.gateway.state.kind === 'running', 'the gateway');
      const [token] = await services.secrets.localTokens();
      assert.equal(token?.name, 'default');
      const url = runningUrl();
      assert.equal((await fetch(`${url}/models`)).status, 401);
      assert.equal((await fetch(`${url}/models`, { headers: { authorization: `Bearer ${token!.token}` } })).status, 200);
    },
  ],
  [
    'the key lives in SecretStorage, the upstream gets it, settings never hold it',
    async () => {
      upstream = await new FakeUpstream()
        .on('POST /v1/chat/completions', (request, response) =>
          request.headers.authorization === `Bearer ${KEY}`
            ? sendJson(response, 200, { id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }] })
            : sendJson(response, 401, { error: { message: 'bad key', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }),
        )
        .start();
      await vscode.workspace.getConfiguration('modapi').update('baseUrl', upstream.url(), vscode.ConfigurationTarget.Global);
      await services.secrets.setApiKey(KEY);
      await services.gateway.refresh('suite');
      assert.equal(await services.extensionContext.secrets.get('modapi.apiKey'), KEY);
      const [token] = await services.secrets.localTokens();
      const response = await fetch(`${runningUrl()}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200);
      assert.equal(upstream.last().headers.authorization, `Bearer ${KEY}`);
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('modapi')).includes(KEY));
    },
  ],
  [
    'a provider key from SecretStorage and a base URL from modapi.providers route provider/model ids',
    async () => {
      const openaiKey = 'sk-vscode-suite-openai-0123456789';
      upstream.on('POST /v1/chat/completions', (request, response) =>
        sendJson(response, request.headers.authorization === `Bearer ${openaiKey}` || request.headers.authorization === `Bearer ${KEY}` ? 200 : 401, {
          id: 'x', object: 'chat.completion', created: 1, model: request.json().model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        }),
      );
      await vscode.workspace.getConfiguration('modapi').update('providers', { openai: { baseUrl: upstream.url() } }, vscode.ConfigurationTarget.Global);
      await services.secrets.setProviderKey('openai', openaiKey);
      await services.gateway.refresh('suite');
      const [token] = await services.secrets.localTokens();
      const response = await fetch(`${runningUrl()}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200);
      assert.equal(upstream.last().headers.authorization, `Bearer ${openaiKey}`);
      assert.equal(upstream.last().json().model, 'gpt-4o-mini');
      await services.secrets.setProviderKey('openai', undefined);
      await vscode.workspace.getConfiguration('modapi').update('providers', undefined, vscode.ConfigurationTarget.Global);
    },
  ],
  [
    'a chosen model is remembered and shown',
    async () => {
      await services.models.choose('gpt-4o-mini');
      assert.equal(services.models.current, 'gpt-4o-mini');
      assert.equal(services.models.recent[0], 'gpt-4o-mini');
    },
  ],
  [
    'Restart Gateway keeps it serving; turning it off stops it',
    async () => {
      await vscode.commands.executeCommand('modapi.restartGateway');
      assert.equal(services.gateway.state.kind, 'running');
      await vscode.workspace.getConfiguration('modapi').update('gateway.enabled', false, vscode.ConfigurationTarget.Global);
      await until(() => services.gateway.state.kind === 'disabled', 'the gateway to stop');
      assert.equal(services.gateway.current(), undefined);
      await vscode.workspace.getConfiguration('modapi').update('gateway.enabled', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.getConfiguration('modapi').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await upstream.close();
    },
  ],
];

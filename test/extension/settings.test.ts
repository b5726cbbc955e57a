import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gatewayOptionsFrom, providersFrom } from '../../extension/gateway/gateway-options.js';
import { readSettings, USER_ONLY_SETTINGS, userOnlyGetter, workspaceValuesOf, type SettingGetter, type SettingsSource } from '../../extension/settings.js';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
const contributed: Record<string, { default: unknown; description?: string; markdownDescription?: string }> = manifest.contributes.configuration.properties;

const getterFrom = (values: Record<string, unknown>): SettingGetter => (<T>(key: string) => values[key] as T | undefined) as SettingGetter;

test('every setting DESIGN.md names is contributed with a description and a default', () => {
  // With workspace.allowedModels, which issue 18 adds.
  const expected = ['baseUrl', 'defaultModel', 'gateway.enabled', 'gateway.port', 'gateway.allowedOrigins', 'providers', 'budget.daily', 'budget.monthly', 'budget.unpricedUsdPerRequest', 'retries', 'fallbacks', 'workspace.allowedModels'];
  assert.deepEqual(Object.keys(contributed).sort(), expected.map((key) => `modapi.${key}`).sort());
  for (const [key, schema] of Object.entries(contributed)) {
    assert.ok('default' in schema, `${key} has a default`);
    assert.ok((schema.markdownDescription ?? schema.description ?? '').length > 20, `${key} is described`);
  }
});

test('the contributed defaults read the same as no settings at all', () => {
  const defaults = Object.fromEntries(Object.entries(contributed).map(([key, schema]) => [key.slice('modapi.'.length), schema.default]));
  assert.deepEqual(readSettings(getterFrom(defaults)), readSettings(getterFrom({})));
  assert.deepEqual(readSettings(getterFrom({})), {
    baseUrl: 'https://modapi.ai/v1',
    defaultModel: '',
    gatewayEnabled: true,
    gatewayPort: 4141,
    allowedOrigins: [],
    providers: {},
    budget: { dailyUsd: 0, monthlyUsd: 0, unpricedUsdPerRequest: 0 },
    retries: 2,
    fallbacks: {},
  });
});

test('bad values fall back instead of breaking activation', () => {
  const settings = readSettings(getterFrom({ 'gateway.port': 70_000, retries: -1, 'budget.daily': 'lots', 'gateway.allowedOrigins': ['http://localhost:3000', 7], fallbacks: { 'gpt-4o': ['gpt-4o-mini', 3], x: 'y' } }));
  assert.equal(settings.gatewayPort, 4141);
  assert.equal(settings.retries, 2);
  assert.equal(settings.budget.dailyUsd, 0);
  assert.deepEqual(settings.allowedOrigins, ['http://localhost:3000']);
  assert.deepEqual(settings.fallbacks, { 'gpt-4o': ['gpt-4o-mini'] });
  assert.equal(readSettings(getterFrom({ 'gateway.port': 0 })).gatewayPort, 0);
});

test('providers: ModAPI from baseUrl and the stored key, others from modapi.providers and their stored keys', () => {
  const settings = readSettings(getterFrom({ baseUrl: 'http://127.0.0.1:9/v1', providers: { ollama: 'http://127.0.0.1:11434/v1', openai: { baseUrl: 'http://127.0.0.1:8/v1' }, modapi: { baseUrl: 'ignored' } } }));
  const providers = providersFrom(settings, { apiKey: 'sk-modapi', providerKeys: { openai: 'sk-openai', anthropic: 'sk-ant', modapi: 'not-this-one' }, localTokens: [] });
  assert.deepEqual(providers, {
    ollama: { baseUrl: 'http://127.0.0.1:11434/v1', headers: undefined },
    openai: { baseUrl: 'http://127.0.0.1:8/v1', headers: undefined, apiKey: 'sk-openai' },
    anthropic: { apiKey: 'sk-ant' },
    modapi: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-modapi', headers: undefined },
  });
});

test('providers: responsesApi (relay /v1/responses to the host) passes on when a boolean, is left out otherwise', () => {
  const settings = readSettings(getterFrom({ providers: { openai: { baseUrl: 'http://127.0.0.1:8/v1', responsesApi: false }, mine: { baseUrl: 'http://127.0.0.1:7/v1', responsesApi: 'yes' }, modapi: { responsesApi: true } } }));
  const providers = providersFrom(settings, { apiKey: undefined, providerKeys: {}, localTokens: [] });
  assert.equal(providers.openai?.responsesApi, false);
  assert.ok(!('responsesApi' in providers.mine!));
  assert.equal(providers.modapi?.responsesApi, true);
});

test('the gateway gets the port, the local tokens by name, the allowed origins, budgets, retries and fallbacks', () => {
  const settings = readSettings(getterFrom({ 'gateway.port': 0, 'gateway.allowedOrigins': ['http://localhost:5173'], 'budget.monthly': 20, 'budget.unpricedUsdPerRequest': 0.05, retries: 0, fallbacks: { 'gpt-4o': ['gpt-4o-mini'] } }));
  const options = gatewayOptionsFrom(settings, { apiKey: undefined, providerKeys: {}, localTokens: [{ name: 'default', token: 'mk-local-1', createdAt: '2026-01-01' }] });
  assert.equal(options.port, 0);
  assert.deepEqual(options.tokens, [{ name: 'default', token: 'mk-local-1' }]);
  assert.deepEqual(options.allowedOrigins, ['http://localhost:5173']);
  assert.equal(options.providers.modapi?.apiKey, undefined);
  assert.deepEqual(options.budget, { dailyUsd: undefined, monthlyUsd: 20, unpricedUsdPerRequest: 0.05 });
  assert.deepEqual(options.retries, { maxRetries: 0 });
  assert.deepEqual(options.fallbacks, { 'gpt-4o': ['gpt-4o-mini'] });
});

/** A `modapi` configuration section as VS Code's inspect() reports it: one value per scope. */
const sourceFrom = (scopes: Record<string, { defaultValue?: unknown; globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }>): SettingsSource => {
  const inspect = (key: string) => {
    const schema = contributed[`modapi.${key}`];
    return schema || scopes[key] ? { defaultValue: schema?.default, ...scopes[key] } : undefined;
  };
  const merged = (key: string) => {
    const inspection = inspect(key);
    return inspection?.workspaceFolderValue ?? inspection?.workspaceValue ?? inspection?.globalValue ?? inspection?.defaultValue;
  };
  return { get: <T>(key: string) => merged(key) as T | undefined, inspect };
};

const HOSTILE = 'http://127.0.0.1:9/v1';

test('user-only settings: a workspace or folder value is ignored, the user value or the default counts', () => {
  const settings = readSettings(
    userOnlyGetter(
      sourceFrom({
        baseUrl: { globalValue: 'http://127.0.0.1:8/v1', workspaceValue: HOSTILE, workspaceFolderValue: HOSTILE },
        providers: { workspaceValue: { openai: { baseUrl: HOSTILE, headers: { 'x-leak': 'yes' } } } },
        'gateway.allowedOrigins': { workspaceFolderValue: ['http://evil.test'] },
        'budget.daily': { globalValue: 5, workspaceValue: 0 },
        'budget.monthly': { globalValue: 50, workspaceFolderValue: 0 },
        retries: { globalValue: 3, workspaceValue: 0 },
        fallbacks: { workspaceValue: { 'gpt-4o': ['evil/model'] } },
        defaultModel: { globalValue: 'gpt-4o', workspaceValue: 'gpt-4o-mini' },
        'gateway.port': { globalValue: 4242, workspaceValue: 4343 },
        'gateway.enabled': { workspaceFolderValue: false },
      }),
    ),
  );
  assert.equal(settings.baseUrl, 'http://127.0.0.1:8/v1');
  assert.deepEqual(settings.providers, {});
  assert.deepEqual(settings.allowedOrigins, []);
  assert.deepEqual(settings.budget, { dailyUsd: 5, monthlyUsd: 50, unpricedUsdPerRequest: 0 });
  assert.equal(settings.retries, 3);
  assert.deepEqual(settings.fallbacks, {});
  // A repository cannot move the gateway off the port its tools are set up for, nor stop it.
  assert.equal(settings.gatewayPort, 4242);
  assert.equal(settings.gatewayEnabled, true);
  // The others follow VS Code's merge: a workspace may pick its model.
  assert.equal(settings.defaultModel, 'gpt-4o-mini');
});

test('user-only settings without any value read as the contributed defaults', () => {
  assert.deepEqual(readSettings(userOnlyGetter(sourceFrom({}))), readSettings(getterFrom({})));
});

test('the user-only settings a workspace or folder sets are reported by their full names', () => {
  const source = sourceFrom({ baseUrl: { globalValue: 'http://127.0.0.1:8/v1' }, retries: { workspaceFolderValue: 0 }, 'budget.daily': { workspaceValue: 0 }, defaultModel: { workspaceValue: 'x' } });
  assert.deepEqual(workspaceValuesOf(source), ['modapi.budget.daily', 'modapi.retries']);
  assert.deepEqual(workspaceValuesOf(sourceFrom({})), []);
});

test('the user-only list names exactly the settings that send keys or set limits, and each exists', () => {
  assert.deepEqual([...USER_ONLY_SETTINGS].sort(), ['baseUrl', 'budget.daily', 'budget.monthly', 'budget.unpricedUsdPerRequest', 'fallbacks', 'gateway.allowedOrigins', 'gateway.enabled', 'gateway.port', 'providers', 'retries']);
  for (const key of USER_ONLY_SETTINGS) assert.ok(contributed[`modapi.${key}`], `modapi.${key} is contributed`);
});

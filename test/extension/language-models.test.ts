import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogEntry } from '../../proxy/catalog/catalog.js';
import { toChatMessages, toChatRequest } from '../../extension/language-models/chat-request.js';
import { toChatInformation } from '../../extension/language-models/model-information.js';
import { estimateTokens } from '../../extension/language-models/token-estimate.js';
import { LanguageModelDataPart, LanguageModelTextPart, LanguageModelToolCallPart, LanguageModelToolResultPart, message, Role } from './support/fake-lm-api.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

test('VS Code messages become chat messages: the system role 3, text, tool calls and their results', () => {
  const messages = toChatMessages(
    [
      message(Role.System, new LanguageModelTextPart('You are terse.')),
      message(Role.User, new LanguageModelTextPart('Read '), new LanguageModelTextPart('a.txt')),
      message(Role.Assistant, new LanguageModelTextPart('Reading.'), new LanguageModelToolCallPart('call_1', 'read_file', { path: 'a.txt' })),
      message(Role.User, new LanguageModelToolResultPart('call_1', [new LanguageModelTextPart('contents'), new LanguageModelTextPart(' of a')]), new LanguageModelTextPart('Now summarise.')),
      message(Role.Assistant, new LanguageModelToolCallPart('call_2', 'list', {})),
      message(Role.User, new LanguageModelToolResultPart('call_2', [new LanguageModelTextPart('[]')])),
    ],
    false,
  );
  assert.deepEqual(messages, [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Read a.txt' },
    { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }] },
    // The tool's answer right after the call it answers, then the user's words.
    { role: 'tool', tool_call_id: 'call_1', content: 'contents of a' },
    { role: 'user', content: 'Now summarise.' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'list', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'call_2', content: '[]' },
  ]);
});

test('images go to models that take them, as data URLs; other data parts are not sent as text', () => {
  const user = message(Role.User, new LanguageModelTextPart('What is this?'), new LanguageModelDataPart(PNG, 'image/png'), new LanguageModelDataPart(new TextEncoder().encode('ephemeral'), 'cache_control'));
  assert.deepEqual(toChatMessages([user], true), [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw==' } }] }]);
  assert.deepEqual(toChatMessages([user], false), [{ role: 'user', content: 'What is this?' }]);
});

test('tools, the required tool mode and useful model options reach the request; unknown options do not', () => {
  const tools = [{ name: 'read_file', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } } } }, { name: 'now', description: 'The time' }];
  const request = toChatRequest('gpt-4o', [message(Role.User, new LanguageModelTextPart('hi'))], { tools, toolMode: 2, modelOptions: { temperature: 0.2, max_tokens: 300, stop: ['END'], reasoning_effort: 'low', apiKey: 'x', baseUrl: 'http://elsewhere' } }, false);
  assert.deepEqual(request, {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    temperature: 0.2,
    max_tokens: 300,
    stop: ['END'],
    reasoning_effort: 'low',
    tools: [
      { type: 'function', function: { name: 'read_file', description: 'Reads a file', parameters: tools[0]!.inputSchema } },
      { type: 'function', function: { name: 'now', description: 'The time', parameters: { type: 'object', properties: {} } } },
    ],
    tool_choice: 'required',
  });
  const auto = toChatRequest('gpt-4o', [], { tools, toolMode: 1 }, false);
  assert.equal(auto.tool_choice, undefined);
  assert.equal(auto.tools?.length, 2);
  assert.equal(toChatRequest('gpt-4o', [], { toolMode: 1 }, false).tools, undefined);
});

const entry = (id: string, fields: Partial<CatalogEntry> = {}): CatalogEntry => ({ id, provider: 'modapi', upstreamId: id, name: id.toUpperCase(), modalities: ['text'], ...fields });

test('the model list: chat models only, favourites and recents first, sizes and capabilities from the catalog', () => {
  const catalog = [
    entry('b-model', { contextWindow: 200_000, maxOutputTokens: 64_000, modalities: ['text', 'vision'], price: { input: 3, output: 15 } }),
    entry('a-model'),
    entry('c-model', { contextWindow: 16_000, maxOutputTokens: 4_000 }),
    entry('text-embedding-3-small', { modalities: ['embedding'] }),
    entry('gpt-image-1', { modalities: ['image'] }),
    entry('openai/d-model', { provider: 'openai', upstreamId: 'd-model' }),
  ];
  const models = toChatInformation(catalog, { favourites: ['c-model'], recent: ['openai/d-model', 'c-model'] });
  assert.deepEqual(models.map((model) => model.id), ['c-model', 'openai/d-model', 'a-model', 'b-model']);
  const b = models.find((model) => model.id === 'b-model')!;
  assert.deepEqual({ ...b }, {
    id: 'b-model',
    name: 'B-MODEL',
    family: 'b-model',
    version: 'b-model',
    maxInputTokens: 136_000,
    maxOutputTokens: 64_000,
    detail: 'modapi',
    tooltip: 'b-model · $3.00 in / $15.00 out per 1M tokens',
    capabilities: { toolCalling: true, imageInput: true },
    isUserSelectable: true,
  });
  const c = models[0]!;
  assert.equal(c.maxInputTokens, 12_000);
  assert.equal(c.capabilities.imageInput, false);
  assert.equal(models.find((model) => model.id === 'openai/d-model')!.family, 'd-model');
  // Sizes the catalog does not know fall back to a window agent mode can work in.
  assert.ok(models.find((model) => model.id === 'a-model')!.maxInputTokens >= 100_000);
});

test('token counts: an estimate that grows with the text, counts parts, and costs microseconds on a long text', () => {
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens('abcd'.repeat(25)), 25);
  assert.equal(estimateTokens('漢字'), 2);
  const withTools = estimateTokens(message(Role.Assistant, new LanguageModelTextPart('abcd'), new LanguageModelToolCallPart('c', 'read', { path: 'abcdefgh' })));
  assert.ok(withTools > estimateTokens(message(Role.Assistant, new LanguageModelTextPart('abcd'))));
  assert.ok(estimateTokens(message(Role.User, new LanguageModelDataPart(PNG, 'image/png'))) >= 1_000, 'an image counts as many tokens');

  const body = 'const value = compute(input); // a line of code\n'.repeat(2_100); // about 100 KB
  const first = performance.now();
  const tokens = estimateTokens(message(Role.User, new LanguageModelTextPart(body)));
  const firstMs = performance.now() - first;
  assert.ok(tokens > 20_000 && tokens < 30_000, String(tokens));
  // VS Code sends a new copy of the same text each time (it comes over IPC).
  const copies = Array.from({ length: 200 }, () => message(Role.User, new LanguageModelTextPart(Buffer.from(body).toString())));
  const started = performance.now();
  for (const copy of copies) assert.equal(estimateTokens(copy), tokens);
  const perCallMs = (performance.now() - started) / copies.length;
  assert.ok(perCallMs <= 1, `${perCallMs.toFixed(3)} ms a call after the first (${firstMs.toFixed(3)} ms)`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalog } from '../../proxy/catalog/catalog.js';
import { ProviderRegistry } from '../../proxy/providers/registry.js';
import { costOf } from '../../proxy/usage/cost.js';

/** Every expected figure is worked out by hand from the bundled table's prices (USD per 1M tokens,
 * per image, per second, per 1M characters) in the comment next to it. */
const catalog = new Catalog(new ProviderRegistry({}), {
  ttlMs: 60_000,
  priceOverrides: { 'my-reasoner': { input: 1, output: 4, reasoning: 2 }, 'anthropic/claude-haiku-4-5': { input: 0.5, output: 2.5 } },
});
const price = (clientId: string, upstreamId = clientId) => catalog.priceFor(clientId, upstreamId);

test('chat tokens: cached input at the cached price', () => {
  // gpt-4o: $2.50 in, $1.25 cached, $10 out. 600 plain + 400 cached in, 500 out:
  // 600*2.5 + 400*1.25 + 500*10 = 1500 + 500 + 5000 = 7000 micro-dollars.
  const cost = costOf({ usage: { promptTokens: 1000, cachedTokens: 400, completionTokens: 500 } }, price('gpt-4o'));
  assert.deepEqual(cost, { costUsd: 0.007, costSource: 'catalog', costSourceDetail: "vendors' public pricing pages (OpenAI, Anthropic, Google, DeepSeek, xAI), 2025-10-01" });
});

test('Anthropic cache reads and writes, at their own prices', () => {
  // claude-sonnet-4-5: $3 in, $0.30 cache read, $3.75 cache write, $15 out.
  // 100 plain + 2000 read + 1000 written, 200 out: 300 + 600 + 3750 + 3000 = 7650 micro-dollars.
  const cost = costOf({ usage: { promptTokens: 3100, cachedTokens: 2000, cacheCreationTokens: 1000, completionTokens: 200 } }, price('anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'));
  assert.equal(cost.costUsd, 0.00765);
});

test('dated model ids take their family price', () => {
  // gpt-4o-2024-08-06 -> gpt-4o: 14*2.5 + 30*10 = 335 micro-dollars.
  assert.equal(costOf({ usage: { promptTokens: 14, completionTokens: 30 } }, price('gpt-4o-2024-08-06')).costUsd, 0.000335);
});

test('reasoning tokens at a reasoning price when the table has one, else at the output price', () => {
  // Override: $1 in, $4 out, $2 reasoning. 10 in, 40 plain out + 60 reasoning: 10 + 160 + 120 = 290 micro-dollars.
  const withReasoningPrice = costOf({ usage: { promptTokens: 10, completionTokens: 100, reasoningTokens: 60 } }, price('my-reasoner'));
  assert.deepEqual(withReasoningPrice, { costUsd: 0.00029, costSource: 'catalog', costSourceDetail: 'user override' });
  // gemini-2.5-flash: $0.30 in, $2.50 out for all 100 output tokens: 3 + 250 = 253 micro-dollars.
  assert.equal(costOf({ usage: { promptTokens: 10, completionTokens: 100, reasoningTokens: 60 } }, price('gemini/gemini-2.5-flash', 'gemini-2.5-flash')).costUsd, 0.000253);
});

test('a user override replaces the table price', () => {
  // Override for anthropic/claude-haiku-4-5: $0.50 in, $2.50 out. 1000 in, 1000 out: 500 + 2500 = 3000 micro-dollars.
  assert.equal(costOf({ usage: { promptTokens: 1000, completionTokens: 1000 } }, price('anthropic/claude-haiku-4-5', 'claude-haiku-4-5')).costUsd, 0.003);
});

test('images, per image; an image model reporting output tokens bills them instead', () => {
  // dall-e-3: $0.04 an image; 3 images = $0.12.
  assert.equal(costOf({ images: 3 }, price('dall-e-3')).costUsd, 0.12);
  // gpt-image-1: $5 in, $40 out per 1M tokens: 50*5 + 4160*40 = 250 + 166400 = 166650 micro-dollars (no per-image on top).
  assert.equal(costOf({ images: 1, usage: { promptTokens: 50, completionTokens: 4160 } }, price('gpt-image-1')).costUsd, 0.16665);
  // gemini-2.5-flash-image: $0.30 in per 1M, $0.039 an image, no output token price; its 1290 output
  // tokens are the image's: 12*0.3 micro-dollars + $0.039 = $0.0390036 (it was "unknown").
  assert.equal(costOf({ images: 1, usage: { promptTokens: 12, completionTokens: 1290 } }, price('gemini/gemini-2.5-flash-image', 'gemini-2.5-flash-image')).costUsd, 0.0390036);
});

test("Anthropic's dated ids take the price of their alias (claude-sonnet-4-0, claude-3-5-haiku-latest)", () => {
  // claude-sonnet-4-20250514 -> claude-sonnet-4-0: $3 in, $15 out. 100 in, 100 out: 300 + 1500 = 1800 micro-dollars.
  assert.equal(costOf({ usage: { promptTokens: 100, completionTokens: 100 } }, price('anthropic/claude-sonnet-4-20250514', 'claude-sonnet-4-20250514')).costUsd, 0.0018);
  // claude-3-5-haiku-20241022 -> claude-3-5-haiku-latest: $0.80 in, $4 out: 80 + 400 = 480 micro-dollars.
  assert.equal(costOf({ usage: { promptTokens: 100, completionTokens: 100 } }, price('anthropic/claude-3-5-haiku-20241022', 'claude-3-5-haiku-20241022')).costUsd, 0.00048);
});

test('audio and video by the second, speech by the character, embeddings by the input token', () => {
  // whisper-1: $0.0001 a second; 90.5 s = $0.00905.
  assert.equal(costOf({ audioSeconds: 90.5 }, price('whisper-1')).costUsd, 0.00905);
  // sora-2: $0.10 a second; 8 s = $0.80.
  assert.equal(costOf({ videoSeconds: 8 }, price('sora-2')).costUsd, 0.8);
  // tts-1: $15 per 1M characters; 1234 characters = $0.01851.
  assert.equal(costOf({ characters: 1234 }, price('tts-1')).costUsd, 0.01851);
  // text-embedding-3-small: $0.02 per 1M tokens; 12345 tokens = $0.0002469.
  assert.equal(costOf({ usage: { promptTokens: 12_345, completionTokens: 0 } }, price('text-embedding-3-small')).costUsd, 0.0002469);
});

test("the upstream's own figure wins over the catalog", () => {
  const cost = costOf({ usage: { promptTokens: 1000, completionTokens: 1000, upstreamCostUsd: 0.0123 } }, price('gpt-4o'));
  assert.deepEqual(cost, { costUsd: 0.0123, costSource: 'upstream', costSourceDetail: 'reported by the upstream (usage.cost)' });
});

test('unknown, never a silent zero: no price, or a price that does not cover what was used', () => {
  assert.equal(price('some-new-model'), undefined);
  const noPrice = costOf({ usage: { promptTokens: 10, completionTokens: 10 } }, undefined);
  assert.equal(noPrice.costUsd, null);
  assert.equal(noPrice.costSource, 'unknown');
  // dall-e-3 has only a per-image price; tokens alone are not covered.
  assert.equal(costOf({ usage: { promptTokens: 10, completionTokens: 10 } }, price('dall-e-3')).costUsd, null);
  // A successful answer that reported no usage at all is not free.
  assert.deepEqual(costOf({}, price('gpt-4o')), { costUsd: null, costSource: 'unknown', costSourceDetail: 'the upstream reported no usage' });
  assert.equal(costOf({}, undefined).costUsd, null);
});

test('nothing billable (refused, or failed before output) is an explicit zero; estimates say so', () => {
  assert.deepEqual(costOf({}, price('gpt-4o'), { nothingBillable: true }).costSource, 'none');
  assert.equal(costOf({}, undefined, { nothingBillable: true }).costUsd, 0);
  const estimate = costOf({ usage: { promptTokens: 100, completionTokens: 10 } }, price('gpt-4o'), { estimated: true });
  // 100*2.5 + 10*10 = 350 micro-dollars.
  assert.equal(estimate.costUsd, 0.00035);
  assert.equal(estimate.costSource, 'estimate');
});

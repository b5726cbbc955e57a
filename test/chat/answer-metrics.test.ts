import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestOf, describeMetrics, formatCost, metricsFromRecord, tokensPerSecond } from '../../extension/chat/answer-metrics.js';
import type { AnswerMetrics } from '../../extension/chat/protocol.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';

test('tokens per second counts only the time spent streaming after the first token', () => {
  assert.equal(tokensPerSecond(100, 2_500, 500), 50);
  assert.equal(tokensPerSecond(30, 1_000, null), 30);
  assert.equal(tokensPerSecond(0, 1_000, 100), null);
  assert.equal(tokensPerSecond(10, 500, 500), null);
});

const record = (overrides: Partial<UsageRecord>): UsageRecord => ({
  time: '2026-11-22T00:00:00.000Z', requestId: 'req_1', client: 'chat-view', endpoint: '/v1/chat/completions', provider: 'modapi', model: 'gpt-4o', stream: true, status: 200,
  promptTokens: 14, completionTokens: 30, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, images: 0, audioSeconds: 0, videoSeconds: 0, characters: 0,
  costUsd: 0.000335, costSource: 'catalog', latencyMs: 1_600, timeToFirstTokenMs: 100, errorCode: null, ...overrides,
} as UsageRecord);

test('an answer takes its figures from its own ledger record', () => {
  // The record's id, provider and served model come along: ratings are linked to them.
  const metrics = metricsFromRecord('gpt-4o', record({}));
  assert.deepEqual(metrics, { model: 'gpt-4o', requestId: 'req_1', provider: 'modapi', servedModel: 'gpt-4o', promptTokens: 14, completionTokens: 30, costUsd: 0.000335, timeToFirstTokenMs: 100, totalMs: 1_600, tokensPerSecond: 20 });
  assert.equal(describeMetrics(metrics), 'gpt-4o · 14 in / 30 out tokens · $0.00034 · first token 100 ms · total 1.60 s · 20 tok/s');
});

test('an unknown cost is said, never shown as zero', () => {
  assert.equal(formatCost(null), 'cost unknown');
  assert.equal(formatCost(0.0123), '$0.0123');
});

test('compare marks the fastest first token, the fastest output and the cheapest answer', () => {
  const metrics = (ttft: number | null, speed: number | null, cost: number | null): AnswerMetrics => ({ model: 'm', promptTokens: 1, completionTokens: 1, costUsd: cost, timeToFirstTokenMs: ttft, totalMs: 1, tokensPerSecond: speed });
  assert.deepEqual(bestOf([metrics(300, 40, 0.002), metrics(120, 25, null), undefined, metrics(500, 90, 0.001)]), { fastestFirstToken: 1, fastestOutput: 3, cheapest: 3 });
  assert.deepEqual(bestOf([undefined, undefined]), { fastestFirstToken: undefined, fastestOutput: undefined, cheapest: undefined });
});

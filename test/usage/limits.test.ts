import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetBook, capsFor } from '../../proxy/governance/budgets.js';
import { RateLimiter } from '../../proxy/governance/rate-limiter.js';
import { globMatches, modelAllowed } from '../../proxy/governance/token-policy.js';
import type { ResolvedModel } from '../../proxy/providers/registry.js';
import { UsageRollups } from '../../proxy/usage/usage-rollups.js';
import { generatedRecords } from './generate-records.js';

test('the rate limit is a sliding minute, and says when the next request will pass', () => {
  let now = 1_000_000;
  const limiter = new RateLimiter(() => now);
  for (const at of [0, 10_000, 20_000]) {
    now = 1_000_000 + at;
    assert.deepEqual(limiter.take('tool', 3), { admitted: true });
  }
  now = 1_000_000 + 30_000;
  assert.deepEqual(limiter.take('tool', 3), { admitted: false, retryAfterSeconds: 30 });
  assert.deepEqual(limiter.take('other', 3), { admitted: true }, 'each client has its own minute');
  now = 1_000_000 + 60_001;
  assert.deepEqual(limiter.take('tool', 3), { admitted: true }, 'the first request left the window');
  assert.deepEqual(limiter.take('tool', 3), { admitted: false, retryAfterSeconds: 10 });
});

test('budgets count the current UTC day and month only, plus what is reserved', () => {
  const rollups = new UsageRollups();
  const [record] = [...generatedRecords(new Date('2026-11-21T23:59:00Z'), 1, 1)];
  rollups.add({ ...record!, client: 'ci', costUsd: 0.75, costSource: 'upstream' });
  let now = new Date('2026-11-21T23:59:30Z');
  const book = new BudgetBook(rollups, () => now);
  const caps = capsFor({ monthlyUsd: 2 }, 'ci', { dailyBudgetUsd: 1 });
  assert.deepEqual(caps.map((cap) => `${cap.scope}/${cap.period}`), ['overall/month', 'token/day']);
  book.check(caps, { usd: 0.25 }, 'm');
  assert.throws(() => book.check(caps, { usd: 0.3 }, 'm'), /daily budget of \$1\.00 for the local token "ci"/);
  const release = book.reserve('ci', 0.2);
  assert.throws(() => book.check(caps, { usd: 0.1 }, 'm'), (error: { code?: string }) => error.code === 'budget_exceeded');
  release();
  release();
  book.check(caps, { usd: 0.25 }, 'm');
  now = new Date('2026-11-22T00:00:01Z');
  book.check(caps, { usd: 0.99 }, 'm');
  assert.equal(book.eventFor(caps[0]!).periodKey, '2026-11');
  assert.equal(book.eventFor(caps[1]!).spentUsd, 0, 'a new UTC day starts at zero');
});

test('allowed models: globs over the id as the client named it or as provider/model', () => {
  const resolved = (requestedModel: string, provider: string, upstreamModel: string) => ({ requestedModel, upstreamModel, provider: { id: provider } }) as ResolvedModel;
  assert.ok(globMatches('gpt-4o*', 'gpt-4o-mini'));
  assert.ok(!globMatches('gpt-4o*', 'xgpt-4o'));
  assert.ok(globMatches('claude-?-haiku', 'claude-3-haiku'));
  assert.ok(globMatches('meta-llama/llama-3.3-70b', 'Meta-Llama/Llama-3.3-70B'), 'case does not matter');
  assert.ok(!globMatches('gpt-4.1', 'gpt-401'), 'dots are literal');
  const policy = { allowedModels: ['modapi/gpt-4o', 'anthropic/*'] };
  assert.ok(modelAllowed(policy, resolved('gpt-4o', 'modapi', 'gpt-4o')));
  assert.ok(modelAllowed(policy, resolved('anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5')));
  assert.ok(!modelAllowed(policy, resolved('gpt-4.1', 'modapi', 'gpt-4.1')));
  assert.ok(modelAllowed(undefined, resolved('anything', 'modapi', 'anything')));
  assert.ok(!modelAllowed({ allowedModels: [] }, resolved('gpt-4o', 'modapi', 'gpt-4o')), 'an empty list allows nothing');
});

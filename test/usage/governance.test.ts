import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gatewayOptionsFromCli } from '../../proxy/cli/serve.js';
import type { BudgetEvent } from '../../proxy/governance/budgets.js';
import { replaceLocalTokens } from '../../proxy/governance/replace-tokens.js';
import type { Logger } from '../../proxy/logger.js';
import type { RunningGateway } from '../../proxy/server/gateway-server.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import { chatUpstream } from './support.js';

const token = (name: string) => `mk-local-${name}-0123456789abcdef0123`;

/** A chat answer whose usage says what it cost (as OpenRouter and ModAPI report it). */
const costingUpstream = (costUsd: number, delayMs = 0) =>
  chatUpstream({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: costUsd }, () => new Promise((resolve) => setTimeout(resolve, delayMs)));

const chat = (gateway: RunningGateway, secret: string, model = 'test-model') =>
  fetch(`${gateway.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

const errorCode = async (response: Response): Promise<string | null> => ((await response.json()) as { error: { code: string | null } }).error.code;

const capturing = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, info: () => undefined, warn: (line) => lines.push(line), error: (line) => lines.push(line) };
};

describe('token policies: allowed models, request rate, revocation', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await costingUpstream(0.001).start();
    gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY }, anthropic: { baseUrl: upstream.url(''), apiKey: TEST_KEY } },
      tokens: [
        { name: 'aider', token: token('aider'), allowedModels: ['gpt-4o*', 'anthropic/*'] },
        { name: 'script', token: token('script'), requestsPerMinute: 3 },
        { name: 'old-tool', token: token('old-tool'), revoked: true },
      ],
    });
  });

  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  test('a model outside the patterns is refused with 403 model_not_allowed before reaching the upstream', async () => {
    assert.equal((await chat(gateway, token('aider'), 'gpt-4o-mini')).status, 200);
    const seen = upstream.requests.length;
    const refused = await chat(gateway, token('aider'), 'gpt-4.1');
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: { code: string; type: string; param: string } };
    assert.deepEqual([body.error.code, body.error.type, body.error.param], ['model_not_allowed', 'permission_error', 'model']);
    assert.equal(upstream.requests.length, seen);
    const record = gateway.context.ledger!.recent(1)[0]!;
    assert.deepEqual([record.client, record.status, record.errorCode, record.costUsd, record.costSource], ['aider', 403, 'model_not_allowed', 0, 'none']);
  });

  test('the rate limit answers 429 rate_limited with Retry-After', async () => {
    for (let index = 0; index < 3; index += 1) assert.equal((await chat(gateway, token('script'))).status, 200);
    const limited = await chat(gateway, token('script'));
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
    assert.equal(await errorCode(limited), 'rate_limited');
    // Another token is not limited by this one's rate.
    assert.equal((await chat(gateway, token('aider'), 'gpt-4o')).status, 200);
  });

  test('a revoked token is refused; the set can be replaced at run time', async () => {
    assert.equal((await chat(gateway, token('old-tool'))).status, 401);
    replaceLocalTokens(gateway.context, [{ name: 'new-tool', token: token('new-tool') }, { name: 'aider', token: token('aider'), revoked: true }]);
    assert.equal(gateway.context.redactor.redact(`x ${token('new-tool')} y`), 'x [redacted] y');
    assert.equal((await chat(gateway, token('new-tool'))).status, 200);
    assert.equal((await chat(gateway, token('aider'), 'gpt-4o')).status, 401);
    assert.equal(gateway.context.ledger!.recent(1)[0]!.client, 'new-tool');
  });
});

describe('budgets', () => {
  test('concurrent requests to a model of known average cost cannot overspend a token cap by more than the estimates in flight', async () => {
    const upstream = await costingUpstream(0.3, 50).start();
    const gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
      tokens: [{ name: 'ci', token: token('ci'), dailyBudgetUsd: 1 }],
      budget: { unpricedUsdPerRequest: 0.1 },
    });
    try {
      // The first request teaches the gateway what this model costs ($0.30 each, reported upstream),
      // more than the $0.10 a request to a model without a price reserves.
      assert.equal((await chat(gateway, token('ci'))).status, 200);
      const answers = await Promise.all(Array.from({ length: 10 }, () => chat(gateway, token('ci'))));
      const statuses = answers.map((answer) => answer.status);
      // $0.70 left and $0.30 reserved per request in flight: two more fit, eight are refused.
      assert.equal(statuses.filter((status) => status === 200).length, 2, statuses.join(','));
      assert.equal(statuses.filter((status) => status === 429).length, 8);
      const refusal = answers.find((answer) => answer.status === 429)!;
      const body = (await refusal.json()) as { error: { code: string; type: string; message: string } };
      assert.equal(body.error.code, 'budget_exceeded');
      assert.equal(body.error.type, 'rate_limit_error');
      assert.match(body.error.message, /daily budget of \$1\.00 for the local token "ci"/);
      const spent = gateway.context.ledger!.rollups.spentUsd(new Date().toISOString().slice(0, 10), 'ci');
      assert.ok(Math.abs(spent - 0.9) < 1e-9, `spent ${spent}`);
      assert.ok(spent <= 1);
      assert.equal((await chat(gateway, token('ci'))).status, 429, 'past the cap, the next request is refused too');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('a model without a price and no reservation set for such models reserves the worst case, and a small cap says why it refuses', async () => {
    const upstream = await costingUpstream(0.001).start();
    const gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
      tokens: [{ name: 'small', token: token('small'), dailyBudgetUsd: 0.5 }],
    });
    try {
      const refused = await chat(gateway, token('small'));
      assert.equal(refused.status, 429);
      const message = ((await refused.json()) as { error: { message: string } }).error.message;
      assert.match(message, /daily budget of \$0\.50 for the local token "small" cannot take this request/);
      assert.match(message, /the model 'test-model' has no known price/);
      assert.match(message, /output tokens at the highest known prices/);
      assert.match(message, /budget\.unpricedUsdPerRequest/);
      assert.equal(upstream.requests.length, 0, 'nothing reached the upstream');
      // A priced model still passes under the same cap.
      assert.equal((await chat(gateway, token('small'), 'gpt-4o-mini')).status, 200);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });

  test('the overall budget warns once at the threshold (event and log line), then refuses past the cap', async () => {
    const upstream = await costingUpstream(0.3).start();
    const log = capturing();
    const gateway = await startTestGateway({
      providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } },
      tokens: [{ name: 'a', token: token('a') }, { name: 'b', token: token('b') }],
      budget: { monthlyUsd: 1, warnAt: 0.5, unpricedUsdPerRequest: 0.3 },
      log,
    });
    try {
      const warnings: BudgetEvent[] = [];
      const exceeded: BudgetEvent[] = [];
      gateway.context.governance!.on('budget-warning', (event) => warnings.push(event));
      gateway.context.governance!.on('budget-exceeded', (event) => exceeded.push(event));
      assert.equal((await chat(gateway, token('a'))).status, 200); // $0.30
      assert.equal(warnings.length, 0);
      assert.equal((await chat(gateway, token('b'))).status, 200); // $0.60: past 50%
      assert.equal((await chat(gateway, token('a'))).status, 200); // $0.90
      assert.equal(warnings.length, 1, 'one warning per cap and period');
      assert.deepEqual({ scope: warnings[0]!.scope, period: warnings[0]!.period, capUsd: warnings[0]!.capUsd }, { scope: 'overall', period: 'month', capUsd: 1 });
      assert.ok(Math.abs(warnings[0]!.spentUsd - 0.6) < 1e-9);
      assert.ok(log.lines.some((line) => /budget: 60% of the monthly budget of \$1\.00 of this gateway spent/.test(line)), log.lines.join('\n'));
      // $0.90 spent and $0.30 expected: over the cap for either token.
      const refused = await chat(gateway, token('b'));
      assert.equal(refused.status, 429);
      assert.equal(await errorCode(refused), 'budget_exceeded');
      assert.equal(exceeded.length, 0, 'not exceeded yet: the request that would exceed it was refused');
      gateway.context.governance!.setOverallBudget({ monthlyUsd: 0.5, unpricedUsdPerRequest: 0.3 });
      assert.equal((await chat(gateway, token('b'))).status, 429);
      assert.equal(exceeded.length, 1);
      assert.ok(!log.lines.some((line) => line.includes(token('a'))), 'no token in a log line');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

test('the CLI takes tokens with their policies from the config file and leaves revoked ones out', () => {
  const { options } = gatewayOptionsFromCli(
    { command: 'serve', host: '127.0.0.1', port: 0, help: false, ledger: '/tmp/ledger' },
    {},
    {
      tokens: [
        { name: 'aider', token: token('aider'), allowedModels: ['gpt-4o*'], dailyBudgetUsd: 2, monthlyBudgetUsd: 20, requestsPerMinute: 30 },
        { name: 'gone', token: token('gone'), revoked: true },
        { name: 'analyst', token: token('analyst'), team: 'research' },
      ],
      budget: { dailyUsd: 5 },
      policies: [{ name: 'sensitive', when: { tag: 'data=sensitive' }, allowedModels: ['local/*'] }],
      retries: { maxRetries: 3 },
      fallbacks: { 'gpt-4o': ['anthropic/claude-sonnet-4-5'] },
    },
  );
  assert.deepEqual(options.tokens.map((entry) => entry.name), ['aider', 'analyst']);
  assert.equal(options.tokens[1]!.team, 'research');
  assert.deepEqual(options.tagPolicies, [{ name: 'sensitive', when: { tag: 'data=sensitive' }, allowedModels: ['local/*'] }]);
  assert.deepEqual(options.tokens[0]!.allowedModels, ['gpt-4o*']);
  assert.equal(options.tokens[0]!.requestsPerMinute, 30);
  assert.equal(options.ledgerDir, '/tmp/ledger');
  assert.deepEqual(options.budget, { dailyUsd: 5 });
  assert.deepEqual(options.retries, { maxRetries: 3 });
  assert.deepEqual(options.fallbacks, { 'gpt-4o': ['anthropic/claude-sonnet-4-5'] });
});

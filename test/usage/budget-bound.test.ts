import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { startTestGateway, TEST_KEY } from '../support/gateway.js';
import { chatUpstream } from './support.js';

// README: a cap is passed by at most what the requests in flight at the last admission cost above
// what they reserved. Each burst below holds every admitted request at the upstream until the
// whole burst is admitted or refused, so all admitted requests are in flight together.

const BURST = 50;
const CAP_USD = 0.02;
const token = (name: string) => `mk-local-${name}-0123456789abcdef0123`;
const today = () => new Date().toISOString().slice(0, 10);

type Usage = Record<string, number> | undefined;

/** An upstream that holds every chat completion until opened. */
const gatedUpstream = async (usage: Usage) => {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const upstream = await chatUpstream(usage, () => opened).start();
  return { upstream, open };
};

const chat = (gateway: RunningGateway, secret: string, model: string) =>
  fetch(`${gateway.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

interface BurstResult {
  admitted: number;
  refusals: string[];
  spentUsd: number;
  gateway: RunningGateway;
  upstream: FakeUpstream;
}

/** Sends BURST parallel requests; opens the upstream once each was refused or reached it. */
const burst = async (options: Partial<GatewayOptions>, usage: Usage, model: string, client = 'tool'): Promise<BurstResult> => {
  const { upstream, open } = await gatedUpstream(usage);
  const gateway = await startTestGateway({ providers: { modapi: { baseUrl: upstream.url(), apiKey: TEST_KEY } }, ...options, tokens: [{ ...options.tokens?.[0], name: client, token: token(client) }] });
  let answered = 0;
  const answers = Array.from({ length: BURST }, () =>
    chat(gateway, token(client), model).then((answer) => {
      answered += 1;
      return answer;
    }),
  );
  const deadline = Date.now() + 10_000;
  while (answered + upstream.requests.length < BURST && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  open();
  const settled = await Promise.all(answers);
  const refusals: string[] = [];
  for (const answer of settled) {
    const body = (await answer.json()) as { error?: { code: string; message: string } };
    if (answer.status !== 200) refusals.push(`${answer.status} ${body.error?.code}: ${body.error?.message}`);
  }
  const admitted = settled.filter((answer) => answer.status === 200).length;
  return { admitted, refusals, spentUsd: gateway.context.ledger!.rollups.spentUsd(today()), gateway, upstream };
};

const close = async (result: BurstResult) => {
  await result.gateway.close();
  await result.upstream.close();
};

/** The README's bound, with every admitted request in flight at once. */
const assertBound = (result: BurstResult, costUsd: number, reservedUsd: number) => {
  assert.equal(result.upstream.requests.length, result.admitted, 'a refused request never reaches the upstream');
  for (const refusal of result.refusals) assert.match(refusal, /^429 budget_exceeded: /);
  const bound = CAP_USD + result.admitted * Math.max(0, costUsd - reservedUsd);
  assert.ok(result.spentUsd <= bound + 1e-12, `spent $${result.spentUsd} with ${result.admitted} admitted; the bound is $${bound}`);
  assert.ok(result.admitted >= 1, 'the cap lets in what it can hold');
  assert.ok(result.admitted <= Math.floor(CAP_USD / reservedUsd + 1e-9), `${result.admitted} admitted, reserving $${reservedUsd} each`);
};

test('a model without a price whose upstream reports its cost: each request reserves the configured amount and settles at the reported cost', async () => {
  const reservedUsd = 0.004;
  const costUsd = 0.01;
  const result = await burst({ tokens: [{ name: 'tool', token: '', dailyBudgetUsd: CAP_USD }], budget: { unpricedUsdPerRequest: reservedUsd } }, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: costUsd }, 'unpriced-model');
  try {
    assertBound(result, costUsd, reservedUsd);
    assert.ok(Math.abs(result.spentUsd - result.admitted * costUsd) < 1e-12, 'settled at the exact reported cost');
    assert.equal(result.refusals.length, BURST - result.admitted);
    assert.equal((await chat(result.gateway, token('tool'), 'unpriced-model')).status, 429, 'spent past the cap: the next request is refused');
  } finally {
    await close(result);
  }
});

test('a priced model that costs more than its estimate passes the cap by at most what the requests in flight cost above it', async () => {
  // $1 and $4 per 1M tokens: the estimate counts 1,000 output tokens ($0.004) and the input; the
  // answers use 6,500 (6.5 times that) and are priced from the catalog.
  const price = { input: 1, output: 4 };
  const usage = { prompt_tokens: 10, completion_tokens: 6_500, total_tokens: 6_510 };
  const costUsd = (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1e6;
  const result = await burst({ budget: { dailyUsd: CAP_USD }, priceOverrides: { 'priced-model': price } }, usage, 'priced-model');
  try {
    assertBound(result, costUsd, (1_000 * price.output) / 1e6);
    assert.ok(Math.abs(result.spentUsd - result.admitted * costUsd) < 1e-12, 'settled at the catalog price of the reported counts');
    const record = result.gateway.context.ledger!.recent(1)[0]!;
    assert.equal(record.costSource, 'catalog');
    assert.equal(record.fallbackCostUsd, undefined);
  } finally {
    await close(result);
  }
});

test('requests of unknown cost count at what they reserved, so the cap holds exactly, also after a restart', async () => {
  const reservedUsd = 0.005;
  const ledgerDir = mkdtempSync(join(tmpdir(), 'modapi-budget-'));
  const options: Partial<GatewayOptions> = { ledgerDir, tokens: [{ name: 'tool', token: '', dailyBudgetUsd: CAP_USD }], budget: { unpricedUsdPerRequest: reservedUsd } };
  // No usage at all: neither a cost nor counts to price.
  const result = await burst(options, undefined, 'mystery-model');
  try {
    assertBound(result, reservedUsd, reservedUsd);
    assert.ok(result.spentUsd <= CAP_USD + 1e-12, `no overshoot: spent $${result.spentUsd}`);
    assert.ok(Math.abs(result.spentUsd - result.admitted * reservedUsd) < 1e-12);
    const record = result.gateway.context.ledger!.recent(1)[0]!;
    assert.deepEqual([record.costUsd, record.costSource, record.fallbackCostUsd], [null, 'unknown', reservedUsd]);
    assert.match(record.costSourceDetail ?? '', /budgets count it at \$0\.005/);
    await result.gateway.close();
    // A new gateway over the same ledger still counts them.
    const again = await startTestGateway({ ...options, providers: { modapi: { baseUrl: result.upstream.url(), apiKey: TEST_KEY } }, tokens: [{ name: 'tool', token: token('tool'), dailyBudgetUsd: result.spentUsd + reservedUsd / 2 }] });
    try {
      assert.equal((await chat(again, token('tool'), 'mystery-model')).status, 429);
      assert.equal(result.upstream.requests.length, result.admitted);
    } finally {
      await again.close();
    }
  } finally {
    await result.gateway.close();
    await result.upstream.close();
    rmSync(ledgerDir, { recursive: true, force: true });
  }
});

test('with no reservation set for models without a price, each request reserves the worst case: parallel requests see each other', async () => {
  const costUsd = 0.01;
  // The worst case is about $9.60 (its input and 128,000 output tokens at $15 and $75 per 1M):
  // a $25 cap holds two at once.
  const result = await burst({ tokens: [{ name: 'tool', token: '', dailyBudgetUsd: 25 }] }, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, cost: costUsd }, 'unpriced-model');
  try {
    assert.equal(result.admitted, 2, result.refusals[0]);
    assert.ok(Math.abs(result.spentUsd - 2 * costUsd) < 1e-12, 'settled at the reported cost');
    assert.match(result.refusals[0] ?? '', /^429 budget_exceeded: .*the model 'unpriced-model' has no known price, so a request reserves its input and 128000 output tokens at the highest known prices/);
  } finally {
    await close(result);
  }
});

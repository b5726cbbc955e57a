import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pool } from 'pg';
import { openPostgresPool } from '../../proxy/store/team/drivers.js';
import { migrate } from '../../proxy/store/team/postgres-schema.js';
import { summarizeUsage } from '../../proxy/store/team/postgres-usage-summary.js';
import { INSERT_USAGE_BATCH, usageRow } from '../../proxy/store/team/postgres-usage-sql.js';
import { UsageLedger } from '../../proxy/usage/usage-ledger.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { UsageQuery, UsageSummary } from '../../proxy/usage/usage-rollups.js';
import { presentTotals } from '../../proxy/usage/usage-totals.js';
import { teamServersAvailable, TestPostgres } from '../support/team-servers.mjs';

// The same records in Postgres and in the embedded ledger: every query sums to the same figures.
const available = teamServersAvailable();
let postgres: TestPostgres;
let pool: Pool;
const ledger = new UsageLedger();

const base: UsageRecord = {
  time: '2026-12-04T23:59:00.000Z',
  requestId: '',
  client: 'ci',
  endpoint: '/v1/chat/completions',
  provider: 'modapi',
  model: 'gpt-4o',
  requestedModel: 'gpt-4o',
  stream: false,
  status: 200,
  promptTokens: 10,
  completionTokens: 20,
  cachedTokens: 3,
  cacheCreationTokens: 1,
  reasoningTokens: 5,
  images: 0,
  audioSeconds: 0,
  videoSeconds: 0,
  characters: 0,
  costUsd: 0.125,
  costSource: 'catalog',
  costSourceDetail: null,
  latencyMs: 12.5,
  timeToFirstTokenMs: null,
  errorCode: null,
};

/** Records that touch every field the totals count, on two days, with and without team, user and tags. */
const RECORDS: Partial<UsageRecord>[] = [
  { team: 'red', user: 'u1', tags: { customer: 'acme', feature: 'summarize' } },
  { team: 'red', tags: { customer: 'acme' }, model: 'claude', provider: 'anthropic', endpoint: '/v1/messages', costUsd: null, costSource: 'unknown', fallbackCostUsd: 0.5 },
  { team: 'blue', user: 'u2', tags: { customer: 'globex' }, status: 502, errorCode: 'upstream_error', costUsd: 0, costSource: 'none' },
  { client: 'nightly', costSource: 'estimate', costUsd: 0.03, images: 2, audioSeconds: 1.5, videoSeconds: 2.25, characters: 40 },
  { client: 'nightly', team: 'blue', time: '2026-12-05T00:00:01.000Z', tags: { feature: 'translate' }, costUsd: null, costSource: 'unknown' },
  { time: '2026-12-05T10:00:00.000Z', user: 'u1', status: 429, errorCode: 'rate_limited', costUsd: 0, costSource: 'none' },
];

before(async () => {
  assert.ok(available, 'postgresql 15 and redis-server are needed (apt-get install postgresql redis-server; .ci/run installs them)');
  postgres = await new TestPostgres().start();
  pool = await openPostgresPool({ connectionString: postgres.url, max: 2 });
  // pool.end() resolves before its connections have closed: Postgres stopping right after may end one with an error.
  pool.on('error', () => undefined);
  await migrate(pool);
  const records = RECORDS.map((fields, index) => ({ ...base, requestId: `req-${index}`, ...fields }));
  for (const record of records) ledger.record(record);
  await pool.query(INSERT_USAGE_BATCH, [JSON.stringify(records.map(usageRow))]);
});

after(async () => {
  ledger.close();
  await pool?.end();
  await postgres?.destroy();
});

const shown = (summary: UsageSummary) => ({ ...summary, totals: presentTotals(summary.totals), groups: summary.groups.map((group) => ({ key: group.key, totals: presentTotals(group.totals) })) });

const QUERIES: UsageQuery[] = [
  {},
  { groupBy: 'model' },
  { groupBy: 'provider' },
  { groupBy: 'client' },
  { groupBy: 'endpoint' },
  { groupBy: 'day' },
  { groupBy: 'team' },
  { groupBy: 'user' },
  { groupBy: 'tag:customer' },
  { groupBy: 'tag:feature', fromDay: '2026-12-05' },
  { groupBy: 'model', toDay: '2026-12-04', client: 'ci' },
  { groupBy: 'team', client: 'nightly' },
  { groupBy: 'model', team: 'red', tags: { customer: 'acme' } },
  { groupBy: 'day', user: 'u1' },
  { groupBy: 'tag:customer', tags: { customer: 'nobody' } },
];

test('Postgres summarizes what the embedded ledger summarizes, for every dimension, scope and filter', async () => {
  for (const query of QUERIES) {
    const fromPostgres = shown(await summarizeUsage(pool, query));
    const fromLedger = shown(await ledger.summarize(query));
    assert.deepEqual(fromPostgres, fromLedger, JSON.stringify(query));
  }
  // Not vacuous: the records are there and split.
  assert.equal((await summarizeUsage(pool, {})).totals.requests, RECORDS.length);
  assert.equal((await summarizeUsage(pool, { groupBy: 'tag:customer' })).groups.length, 3);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pool } from 'pg';
import { openPostgresPool } from '../../proxy/store/team/drivers.js';
import { migrate } from '../../proxy/store/team/postgres-schema.js';
import { INSERT_USAGE_BATCH, usageRow } from '../../proxy/store/team/postgres-usage-sql.js';
import { recordCounterKeys } from '../../proxy/store/counter-keys.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { teamServersAvailable, TestPostgres } from '../support/team-servers.mjs';

const available = teamServersAvailable();
let postgres: TestPostgres;
let pool: Pool;

before(async () => {
  assert.ok(available, 'postgresql 15 and redis-server are needed (apt-get install postgresql redis-server; .ci/run installs them)');
  postgres = await new TestPostgres().start();
  pool = await openPostgresPool({ connectionString: postgres.url, max: 2 });
  // pool.end() resolves before its connections have closed: Postgres stopping right after may end one with an error.
  pool.on('error', () => undefined);
  await migrate(pool);
});

after(async () => {
  await pool?.end();
  await postgres?.destroy();
});

const record = (requestId: string, costUsd: number | null): UsageRecord => ({
  time: '2026-12-05T10:00:00.000Z',
  requestId,
  client: 'ci',
  endpoint: '/v1/chat/completions',
  provider: 'modapi',
  model: 'gpt-4o',
  requestedModel: 'gpt-4o',
  stream: false,
  status: 200,
  promptTokens: 10,
  completionTokens: 20,
  cachedTokens: 0,
  cacheCreationTokens: 0,
  reasoningTokens: 5,
  images: 0,
  audioSeconds: 0,
  videoSeconds: 0,
  characters: 0,
  costUsd,
  costSource: costUsd === null ? 'unknown' : 'catalog',
  costSourceDetail: null,
  ...(costUsd === null ? { fallbackCostUsd: 0.5 } : {}),
  latencyMs: 12,
  timeToFirstTokenMs: null,
  errorCode: null,
  team: 'platform',
  user: 'user-7',
  tags: { customer: 'acme', feature: 'summarize' },
});

const write = (records: UsageRecord[]) => pool.query(INSERT_USAGE_BATCH, [JSON.stringify(records.map(usageRow))]);

test('a batch replayed, and a record repeated within a batch, count once in events, rollups and every counter', async () => {
  const first = [record('req-1', 0.25), record('req-2', null), record('req-1', 0.25)];
  await write(first);
  await write(first);
  const events = await pool.query('SELECT request_id, team, end_user, tags, record FROM usage_events ORDER BY request_id');
  assert.deepEqual(events.rows.map((row) => [row.request_id, row.team, row.end_user, row.tags]), [
    ['req-1', 'platform', 'user-7', { customer: 'acme', feature: 'summarize' }],
    ['req-2', 'platform', 'user-7', { customer: 'acme', feature: 'summarize' }],
  ]);
  assert.equal(events.rows[0].record.reasoningTokens, 5, 'the whole record is kept');
  const daily = await pool.query('SELECT requests, spend_micro, unknown_cost_requests, completion_tokens FROM usage_daily');
  assert.deepEqual(daily.rows, [{ requests: 2, spend_micro: 750_000, unknown_cost_requests: 1, completion_tokens: 40 }]);
  // Postgres names the counters exactly as the replicas do (store/counter-keys.ts).
  const counters = await pool.query('SELECT key, spent_micro FROM budget_counters ORDER BY key');
  assert.deepEqual(counters.rows.map((row) => row.key), [...recordCounterKeys(record('req-1', 0.25))].sort());
  assert.ok(counters.rows.every((row) => row.spent_micro === 750_000));
});

test('the batch drops the holds of its requests', async () => {
  await pool.query("INSERT INTO budget_holds (request_id, key, amount_micro, replica, expires_at) VALUES ('req-3', 'overall||day|2026-12-05', 10, 'r', now() + interval '1 minute'), ('req-9', 'overall||day|2026-12-05', 10, 'r', now() + interval '1 minute')");
  await write([record('req-3', 0.01)]);
  const holds = await pool.query('SELECT request_id FROM budget_holds');
  assert.deepEqual(holds.rows, [{ request_id: 'req-9' }]);
});

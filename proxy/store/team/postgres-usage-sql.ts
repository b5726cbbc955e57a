import type { UsageRecord } from '../../usage/usage-record.js';
import { spendMicros } from '../counter-keys.js';

/** One row of a batch as the insert statement reads it (jsonb), with the record kept whole. */
export const usageRow = (record: UsageRecord) => {
  return {
    request_id: record.requestId,
    time: record.time,
    client: record.client,
    team: record.team ?? null,
    end_user: record.user ?? null,
    tags: record.tags ?? null,
    provider: record.provider,
    model: record.model,
    status: record.status,
    error: record.status >= 400 || record.errorCode !== null ? 1 : 0,
    unknown_cost: record.costUsd === null ? 1 : 0,
    spend_micro: spendMicros(record),
    record,
  };
};

/** A batch of usage records in one statement: the events are inserted once by request id (a
 * replayed record changes nothing), and only the rows actually inserted add to the daily rollups
 * and to the budget counters (named as store/counter-keys.ts names them, the `customer` tag
 * included), in the same
 * transaction. The batch's holds go away with it. $1 is a jsonb array of usageRow(). */
export const INSERT_USAGE_BATCH = `
WITH input AS (
  SELECT DISTINCT ON (row->>'request_id') row->>'request_id' AS request_id, (row->>'time')::timestamptz AS time,
    row->>'client' AS client, row->>'team' AS team, row->>'end_user' AS end_user,
    CASE WHEN jsonb_typeof(row->'tags') = 'object' THEN row->'tags' END AS tags,
    row->>'provider' AS provider, row->>'model' AS model, (row->>'status')::integer AS status,
    (row->>'error')::integer AS error, (row->>'unknown_cost')::integer AS unknown_cost,
    (row->>'spend_micro')::bigint AS spend_micro, row->'record' AS record
  FROM jsonb_array_elements($1::jsonb) AS row
), inserted AS (
  INSERT INTO usage_events (request_id, time, day, client, team, end_user, tags, provider, model, status, spend_micro, record)
  SELECT request_id, time, (time AT TIME ZONE 'UTC')::date, client, team, end_user, tags, provider, model, status, spend_micro, record FROM input
  ON CONFLICT (request_id) DO NOTHING
  RETURNING request_id, day, client, team, provider, model
), fresh AS (
  SELECT input.*, inserted.day FROM inserted JOIN input USING (request_id)
), rollups AS (
  INSERT INTO usage_daily AS daily (day, client, team, provider, model, requests, errors, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, spend_micro, unknown_cost_requests)
  SELECT day, client, coalesce(team, ''), provider, model, count(*), sum(error),
    sum(coalesce((record->>'promptTokens')::bigint, 0)), sum(coalesce((record->>'completionTokens')::bigint, 0)),
    sum(coalesce((record->>'cachedTokens')::bigint, 0)), sum(coalesce((record->>'reasoningTokens')::bigint, 0)),
    sum(spend_micro), sum(unknown_cost)
  FROM fresh GROUP BY day, client, coalesce(team, ''), provider, model
  ORDER BY day, client, coalesce(team, ''), provider, model
  ON CONFLICT (day, client, team, provider, model) DO UPDATE SET
    requests = daily.requests + excluded.requests, errors = daily.errors + excluded.errors,
    prompt_tokens = daily.prompt_tokens + excluded.prompt_tokens, completion_tokens = daily.completion_tokens + excluded.completion_tokens,
    cached_tokens = daily.cached_tokens + excluded.cached_tokens, reasoning_tokens = daily.reasoning_tokens + excluded.reasoning_tokens,
    spend_micro = daily.spend_micro + excluded.spend_micro, unknown_cost_requests = daily.unknown_cost_requests + excluded.unknown_cost_requests
), spends AS (
  SELECT key, spend_micro FROM fresh CROSS JOIN LATERAL unnest(ARRAY[
    'overall||day|' || day::text, 'overall||month|' || to_char(day, 'YYYY-MM'),
    'token|' || client || '|day|' || day::text, 'token|' || client || '|month|' || to_char(day, 'YYYY-MM')
  ] || CASE WHEN team IS NULL THEN ARRAY[]::text[] ELSE ARRAY['team|' || team || '|day|' || day::text, 'team|' || team || '|month|' || to_char(day, 'YYYY-MM')] END
    || CASE WHEN tags->>'customer' IS NULL THEN ARRAY[]::text[] ELSE ARRAY['customer|' || (tags->>'customer') || '|day|' || day::text, 'customer|' || (tags->>'customer') || '|month|' || to_char(day, 'YYYY-MM')] END) AS key
  WHERE spend_micro > 0
), counters AS (
  INSERT INTO budget_counters AS counter (key, spent_micro)
  SELECT key, sum(spend_micro) FROM spends GROUP BY key ORDER BY key
  ON CONFLICT (key) DO UPDATE SET spent_micro = counter.spent_micro + excluded.spent_micro, updated_at = now()
)
DELETE FROM budget_holds WHERE request_id IN (SELECT request_id FROM input)`;

import type { Pool } from 'pg';
import { NO_VALUE_GROUP, summaryOf, type UsageGroup, type UsageQuery, type UsageSummary } from '../../usage/usage-rollups.js';
import { addTotals, emptyTotals, type UsageTotals } from '../../usage/usage-totals.js';
import { periodByDay, scopeConditions, statementValues, whereClause } from './postgres-usage-filter.js';

/** Each field of UsageTotals summed over usage_events the way addRecord (usage-totals.ts) counts
 * one record, read from the whole record kept as jsonb (usage_daily lacks most of them). */
const TOTALS_SQL = `
  count(*)::bigint AS "requests",
  count(*) FILTER (WHERE status >= 400 OR record->>'errorCode' IS NOT NULL)::bigint AS "errors",
  coalesce(sum((record->>'promptTokens')::bigint), 0)::bigint AS "promptTokens",
  coalesce(sum((record->>'completionTokens')::bigint), 0)::bigint AS "completionTokens",
  coalesce(sum((record->>'cachedTokens')::bigint), 0)::bigint AS "cachedTokens",
  coalesce(sum((record->>'cacheCreationTokens')::bigint), 0)::bigint AS "cacheCreationTokens",
  coalesce(sum((record->>'reasoningTokens')::bigint), 0)::bigint AS "reasoningTokens",
  coalesce(sum((record->>'images')::bigint), 0)::bigint AS "images",
  coalesce(sum((record->>'audioSeconds')::double precision), 0)::double precision AS "audioSeconds",
  coalesce(sum((record->>'videoSeconds')::double precision), 0)::double precision AS "videoSeconds",
  coalesce(sum((record->>'characters')::bigint), 0)::bigint AS "characters",
  coalesce(sum((record->>'costUsd')::double precision), 0)::double precision AS "costUsd",
  count(*) FILTER (WHERE record->>'costUsd' IS NULL)::bigint AS "unknownCostRequests",
  coalesce(sum((record->>'fallbackCostUsd')::double precision) FILTER (WHERE record->>'costUsd' IS NULL AND jsonb_typeof(record->'fallbackCostUsd') = 'number'), 0)::double precision AS "fallbackCostUsd",
  count(*) FILTER (WHERE record->>'costSource' = 'estimate')::bigint AS "estimatedCostRequests",
  count(*) FILTER (WHERE record->>'costSource' = 'none')::bigint AS "unbilledRequests",
  coalesce(sum((record->>'latencyMs')::double precision), 0)::double precision AS "latencyMsTotal"`;

/** The group key of a dimension; records without a team, user or tag value form NO_VALUE_GROUP,
 * as in the ledger's rollups. A tag key is passed as a parameter, never spliced in. */
const groupKey = (groupBy: UsageQuery['groupBy'], parameter: (value: unknown) => string): string => {
  if (groupBy === undefined) return 'NULL::text';
  if (groupBy === 'model' || groupBy === 'provider' || groupBy === 'client') return groupBy;
  if (groupBy === 'endpoint') return "record->>'endpoint'";
  if (groupBy === 'day') return "to_char(day, 'YYYY-MM-DD')";
  const column = groupBy === 'team' ? 'team' : groupBy === 'user' ? 'end_user' : `tags->>${parameter(groupBy.slice(4))}::text`;
  return `coalesce(${column}, ${parameter(NO_VALUE_GROUP)})`;
};

/** The statement and its values for one query: its period and scope (postgres-usage-filter.ts), grouped. */
export const summaryStatement = (query: UsageQuery): { text: string; values: unknown[] } => {
  const { values, parameter } = statementValues();
  const where = whereClause([...periodByDay(query, parameter), ...scopeConditions(query, parameter)]);
  const key = groupKey(query.groupBy, parameter);
  return { text: `SELECT ${key} AS key,${TOTALS_SQL}\nFROM usage_events${where} GROUP BY 1`, values };
};

type SummaryRow = UsageTotals & { key: string | null };

/** A period's sums from Postgres's usage events: the same figures from every replica. */
export const summarizeUsage = async (pool: Pool, query: UsageQuery): Promise<UsageSummary> => {
  const { text, values } = summaryStatement(query);
  const rows = (await pool.query<SummaryRow>(text, values)).rows;
  const totals = emptyTotals();
  const groups: UsageGroup[] = [];
  for (const { key, ...rowTotals } of rows) {
    addTotals(totals, rowTotals);
    if (query.groupBy !== undefined) groups.push({ key: key ?? NO_VALUE_GROUP, totals: rowTotals });
  }
  return summaryOf(query, totals, groups);
};

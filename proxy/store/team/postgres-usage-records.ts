import type { Pool } from 'pg';
import type { UsageRecord } from '../../usage/usage-record.js';
import type { RecordQuery } from '../../usage/usage-rollups.js';
import { periodByTime, scopeConditions, statementValues, whereClause } from './postgres-usage-filter.js';

const PAGE_ROWS = 500;

type RecordRow = { record: UsageRecord };

/** One page of a query's records, oldest first, after the record `after` when given. The period
 * is bounded by time, so the (time, request_id) index can serve the range and the order. */
export const recordsStatement = (query: RecordQuery, after: UsageRecord | undefined, rows: number): { text: string; values: unknown[] } => {
  const { values, parameter } = statementValues();
  const conditions = [
    ...periodByTime(query, parameter),
    ...scopeConditions(query, parameter),
    ...(after ? [`(time, request_id) > (${parameter(after.time)}::timestamptz, ${parameter(after.requestId)})`] : []),
  ];
  return { text: `SELECT record FROM usage_events${whereClause(conditions)} ORDER BY time, request_id LIMIT ${parameter(rows)}`, values };
};

/** Every record of a query from Postgres's usage events, oldest first, a page at a time: each page
 * is a short query of its own that goes on after the last record of the one before, so a long
 * export holds no connection while its client reads, and no more than a page in memory. */
export async function* usageRecords(pool: Pool, query: RecordQuery, pageRows = PAGE_ROWS): AsyncGenerator<UsageRecord> {
  let after: UsageRecord | undefined;
  for (;;) {
    const { text, values } = recordsStatement(query, after, pageRows);
    const { rows } = await pool.query<RecordRow>(text, values);
    for (const row of rows) yield row.record;
    if (rows.length < pageRows) return;
    after = rows[rows.length - 1]?.record;
  }
}

/** The latest records (of one client, when given), newest first, from every replica's. */
export const recentUsage = async (pool: Pool, limit: number, client?: string): Promise<UsageRecord[]> => {
  const { values, parameter } = statementValues();
  const where = whereClause(scopeConditions({ client }, parameter));
  const { rows } = await pool.query<RecordRow>(`SELECT record FROM usage_events${where} ORDER BY time DESC, request_id DESC LIMIT ${parameter(limit)}`, values);
  return rows.map((row) => row.record);
};

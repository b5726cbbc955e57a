import type { BudgetCap } from '../governance/budgets.js';
import type { UsageRecord } from '../usage/usage-record.js';

/** Budget counters shared by replicas are named `scope|who|period|periodKey`
 * (`overall||day|2026-12-05`, `token|ci|month|2026-12`). Postgres builds the same names from a
 * usage row (team/postgres-usage-sql.ts), so the names are known in these two places only. */
export const counterKey = (scope: string, who: string, period: string, periodKey: string): string => `${scope}|${who}|${period}|${periodKey}`;

export const periodKeyOf = (time: Date, period: BudgetCap['period']): string => time.toISOString().slice(0, period === 'day' ? 10 : 7);

export const capKey = (cap: BudgetCap, now: Date): string => counterKey(cap.scope, cap.client ?? '', cap.period, periodKeyOf(now, cap.period));

/** A record's team, when the usage record carries one (tokens of a team store have one). */
export const recordTeam = (record: UsageRecord): string | undefined => {
  const team = (record as { team?: unknown }).team;
  return typeof team === 'string' && team.length > 0 ? team : undefined;
};

/** Every counter a record's spending adds to: overall, its token's and its team's, per day and month. */
export const recordCounterKeys = (record: UsageRecord): string[] => {
  const time = new Date(record.time);
  const day = periodKeyOf(time, 'day');
  const month = periodKeyOf(time, 'month');
  const keys = [counterKey('overall', '', 'day', day), counterKey('overall', '', 'month', month), counterKey('token', record.client, 'day', day), counterKey('token', record.client, 'month', month)];
  const team = recordTeam(record);
  if (team) keys.push(counterKey('team', team, 'day', day), counterKey('team', team, 'month', month));
  return keys;
};

/** What a record adds to budgets, in integer micro-dollars: its cost, or what it reserved when unknown. */
export const spendMicros = (record: UsageRecord): number => Math.round((record.costUsd ?? record.fallbackCostUsd ?? 0) * 1_000_000);

export const toMicros = (usd: number): number => Math.ceil(usd * 1_000_000);

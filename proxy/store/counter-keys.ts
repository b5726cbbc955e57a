import type { BudgetCap } from '../governance/budgets.js';
import type { UsageRecord } from '../usage/usage-record.js';

/** Budget counters shared by replicas are named `scope|who|period|periodKey`
 * (`overall||day|2026-12-05`, `token|ci|month|2026-12`). Postgres builds the same names from a
 * usage row (team/postgres-usage-sql.ts), so the names are known in these two places only. */
export const counterKey = (scope: string, who: string, period: string, periodKey: string): string => `${scope}|${who}|${period}|${periodKey}`;

export const periodKeyOf = (time: Date, period: BudgetCap['period']): string => time.toISOString().slice(0, period === 'day' ? 10 : 7);

/** Whose cap it is: the token's name, the team, or the `customer` tag's value (none overall). */
const ownerOf = (cap: BudgetCap): string => {
  const owned = cap as BudgetCap & { team?: string; customer?: string };
  return owned.client ?? owned.team ?? owned.customer ?? '';
};

export const capKey = (cap: BudgetCap, now: Date): string => counterKey(cap.scope, ownerOf(cap), cap.period, periodKeyOf(now, cap.period));

/** The `customer` tag, whose value a customer's cap is kept under. */
export const CUSTOMER_TAG = 'customer';

/** Every counter a record's spending adds to: overall, its token's, its team's and its customer's,
 * per day and month. */
export const recordCounterKeys = (record: UsageRecord): string[] => {
  const time = new Date(record.time);
  const day = periodKeyOf(time, 'day');
  const month = periodKeyOf(time, 'month');
  const owners: [string, string][] = [['overall', ''], ['token', record.client]];
  if (record.team) owners.push(['team', record.team]);
  const customer = record.tags?.[CUSTOMER_TAG];
  if (customer) owners.push(['customer', customer]);
  return owners.flatMap(([scope, who]) => [counterKey(scope, who, 'day', day), counterKey(scope, who, 'month', month)]);
};

/** What a record adds to budgets, in integer micro-dollars: its cost, or what it reserved when unknown. */
export const spendMicros = (record: UsageRecord): number => Math.round((record.costUsd ?? record.fallbackCostUsd ?? 0) * 1_000_000);

export const toMicros = (usd: number): number => Math.ceil(usd * 1_000_000);

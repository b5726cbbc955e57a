import type { UsageRecord } from './usage-record.js';
import { addRecord, addTotals, emptyTotals, type UsageTotals } from './usage-totals.js';

export const GROUP_DIMENSIONS = ['model', 'provider', 'client', 'endpoint', 'day'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];
type RecordDimension = Exclude<GroupDimension, 'day'>;
const RECORD_DIMENSIONS: readonly RecordDimension[] = ['model', 'provider', 'client', 'endpoint'];

/** One UTC day's sums, overall and per model, provider, client and endpoint. Plain objects, so a
 * month of them can be saved as JSON and read back. */
export interface DayRollup {
  total: UsageTotals;
  model: Record<string, UsageTotals>;
  provider: Record<string, UsageTotals>;
  client: Record<string, UsageTotals>;
  endpoint: Record<string, UsageTotals>;
}

export interface UsageQuery {
  /** First UTC day, inclusive (YYYY-MM-DD); open when absent. */
  fromDay?: string;
  /** Last UTC day, inclusive (YYYY-MM-DD); open when absent. */
  toDay?: string;
  groupBy?: GroupDimension;
}

export interface UsageGroup {
  key: string;
  totals: UsageTotals;
}

export interface UsageSummary {
  fromDay: string | null;
  toDay: string | null;
  groupBy: GroupDimension | null;
  totals: UsageTotals;
  groups: UsageGroup[];
}

// Keys come from requests (model ids): objects without a prototype keep `__proto__` an ordinary key.
const keyed = (): Record<string, UsageTotals> => Object.create(null) as Record<string, UsageTotals>;
const emptyDay = (): DayRollup => ({ total: emptyTotals(), model: keyed(), provider: keyed(), client: keyed(), endpoint: keyed() });

/** The UTC day (YYYY-MM-DD) and month (YYYY-MM) of an ISO time. */
export const dayOf = (time: string): string => time.slice(0, 10);
export const monthOf = (time: string): string => time.slice(0, 7);

/** Per-day sums kept up to date record by record, so a query over a year adds a few hundred day
 * rollups instead of rescanning millions of records. */
export class UsageRollups {
  private readonly days = new Map<string, DayRollup>();
  private readonly months = new Map<string, DayRollup>();

  add(record: UsageRecord): void {
    addToRollup(this.rollupFor(this.days, dayOf(record.time)), record);
    addToRollup(this.rollupFor(this.months, monthOf(record.time)), record);
  }

  /** Merges a saved day (from a month's snapshot). */
  mergeDay(day: string, rollup: DayRollup): void {
    mergeRollup(this.rollupFor(this.days, day), rollup);
    mergeRollup(this.rollupFor(this.months, day.slice(0, 7)), rollup);
  }

  /** The days of one month, for a snapshot. */
  daysOfMonth(month: string): Record<string, DayRollup> {
    const result: Record<string, DayRollup> = {};
    for (const [day, rollup] of this.days) if (day.startsWith(month)) result[day] = rollup;
    return result;
  }

  /** Spending of one UTC day or month (YYYY-MM-DD or YYYY-MM), overall or for one client, as
   * budgets count it: known costs, and unknown ones at what their requests reserved. */
  spentUsd(period: string, client?: string): number {
    const rollup = (period.length === 7 ? this.months : this.days).get(period);
    const totals = client === undefined ? rollup?.total : rollup?.client[client];
    return totals ? totals.costUsd + totals.fallbackCostUsd : 0;
  }

  /** Average known cost of one billed request to a model this month (undefined without history). */
  averageCostUsd(model: string, month: string): number | undefined {
    const totals = this.months.get(month)?.model[model];
    const priced = totals ? totals.requests - totals.unknownCostRequests - totals.unbilledRequests : 0;
    return totals && priced > 0 ? totals.costUsd / priced : undefined;
  }

  query(query: UsageQuery): UsageSummary {
    const totals = emptyTotals();
    const groups = new Map<string, UsageTotals>();
    for (const [day, rollup] of this.days) {
      if ((query.fromDay && day < query.fromDay) || (query.toDay && day > query.toDay)) continue;
      addTotals(totals, rollup.total);
      if (query.groupBy === 'day') addInto(groups, day, rollup.total);
      else if (query.groupBy) for (const [key, value] of Object.entries(rollup[query.groupBy])) addInto(groups, key, value);
    }
    const sorted = [...groups].map(([key, value]) => ({ key, totals: value }));
    sorted.sort(query.groupBy === 'day' ? (a, b) => a.key.localeCompare(b.key) : (a, b) => b.totals.costUsd - a.totals.costUsd || b.totals.requests - a.totals.requests);
    return { fromDay: query.fromDay ?? null, toDay: query.toDay ?? null, groupBy: query.groupBy ?? null, totals, groups: sorted };
  }

  private rollupFor(map: Map<string, DayRollup>, key: string): DayRollup {
    let rollup = map.get(key);
    if (!rollup) {
      rollup = emptyDay();
      map.set(key, rollup);
    }
    return rollup;
  }
}

const addToRollup = (rollup: DayRollup, record: UsageRecord): void => {
  addRecord(rollup.total, record);
  for (const dimension of RECORD_DIMENSIONS) {
    const key = record[dimension];
    const totals = (rollup[dimension][key] ??= emptyTotals());
    addRecord(totals, record);
  }
};

const mergeRollup = (into: DayRollup, from: DayRollup): void => {
  addTotals(into.total, from.total);
  for (const dimension of RECORD_DIMENSIONS) {
    for (const [key, value] of Object.entries(from[dimension])) addTotals((into[dimension][key] ??= emptyTotals()), value);
  }
};

const addInto = (groups: Map<string, UsageTotals>, key: string, value: UsageTotals): void => {
  let totals = groups.get(key);
  if (!totals) {
    totals = emptyTotals();
    groups.set(key, totals);
  }
  addTotals(totals, value);
};

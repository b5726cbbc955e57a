import type { UsageRecord } from './usage-record.js';
import { addRecord, addTotals, emptyTotals, subtractTotals, type UsageTotals } from './usage-totals.js';

export const GROUP_DIMENSIONS = ['model', 'provider', 'client', 'endpoint', 'day', 'team', 'user'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number] | `tag:${string}`;
type BreakdownDimension = 'model' | 'provider' | 'endpoint';
const BREAKDOWN_DIMENSIONS: readonly BreakdownDimension[] = ['model', 'provider', 'endpoint'];
/** Dimensions a record may lack: only records that have them are counted under them. */
type OptionalDimension = 'team' | 'user';
const OPTIONAL_DIMENSIONS: readonly OptionalDimension[] = ['team', 'user'];

/** The group of the records without the team, user or tag grouped by. */
export const NO_VALUE_GROUP = '(none)';

/** Ties in order of name, the records without a value after every named group. */
const byNameNoValueLast = (a: string, b: string): number => Number(a === NO_VALUE_GROUP) - Number(b === NO_VALUE_GROUP) || a.localeCompare(b);

/** Sums of a set of records, overall and per model, provider and endpoint; per team, end user and
 * tag value for the records that have them. */
export interface Breakdown {
  total: UsageTotals;
  model: Record<string, UsageTotals>;
  provider: Record<string, UsageTotals>;
  endpoint: Record<string, UsageTotals>;
  /** Absent in rollups saved before tags existed. */
  team?: Record<string, UsageTotals>;
  user?: Record<string, UsageTotals>;
  /** Tag key -> value -> totals. */
  tag?: Record<string, Record<string, UsageTotals>>;
}

/** One UTC day's sums: all clients, and each client's own breakdown (what its token may read).
 * Plain objects, so a month of them can be saved as JSON and read back. */
export interface DayRollup extends Breakdown {
  client: Record<string, Breakdown>;
}

/** Only the records of a team, an end user, or carrying every one of some tags. */
export interface RecordFilter {
  team?: string;
  user?: string;
  tags?: Readonly<Record<string, string>>;
}

export interface UsageQuery extends RecordFilter {
  /** First UTC day, inclusive (YYYY-MM-DD); open when absent. */
  fromDay?: string;
  /** Last UTC day, inclusive (YYYY-MM-DD); open when absent. */
  toDay?: string;
  groupBy?: GroupDimension;
  /** Only this client's records (a local token reading its own usage); every client when absent. */
  client?: string;
}

/** Which records a per-record view reads: a period's, of one client (or everyone), filtered. */
export type RecordQuery = Pick<UsageQuery, 'fromDay' | 'toDay' | 'client'> & RecordFilter;

/** Whose spending a budget counts: everyone's, one client's, one team's, or one tag value's. */
export type SpendScope = { client: string } | { team: string } | { tag: string; value: string };

export const hasRecordFilter = (filter: RecordFilter): boolean => filter.team !== undefined || filter.user !== undefined || (filter.tags !== undefined && Object.keys(filter.tags).length > 0);

export const recordMatches = (record: UsageRecord, filter: RecordFilter): boolean =>
  (filter.team === undefined || record.team === filter.team) &&
  (filter.user === undefined || record.user === filter.user) &&
  Object.entries(filter.tags ?? {}).every(([key, value]) => record.tags?.[key] === value);

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

/** A query's summary from its totals and groups, in the order every reader shows them: days in
 * order, other groups by cost then requests, the largest first, ties by key (the same order
 * whichever store summed them). */
export const summaryOf = (query: UsageQuery, totals: UsageTotals, groups: UsageGroup[]): UsageSummary => {
  const sorted = [...groups].sort(query.groupBy === 'day' ? (a, b) => a.key.localeCompare(b.key) : (a, b) => b.totals.costUsd - a.totals.costUsd || b.totals.requests - a.totals.requests || byNameNoValueLast(a.key, b.key));
  return { fromDay: query.fromDay ?? null, toDay: query.toDay ?? null, groupBy: query.groupBy ?? null, totals, groups: sorted };
};

// Keys come from requests (model ids): objects without a prototype keep `__proto__` an ordinary key.
const keyed = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const emptyBreakdown = (): Breakdown => ({ total: emptyTotals(), model: keyed(), provider: keyed(), endpoint: keyed(), team: keyed(), user: keyed(), tag: keyed() });
const emptyDay = (): DayRollup => ({ ...emptyBreakdown(), client: keyed() });

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
   * budgets count it: known costs, and unknown ones at what their requests reserved. A string
   * scope is a client's name. */
  spentUsd(period: string, scope?: SpendScope | string): number {
    const rollup = (period.length === 7 ? this.months : this.days).get(period);
    const totals = rollup && scopedTotals(rollup, typeof scope === 'string' ? { client: scope } : scope);
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
      const scope = query.client === undefined ? rollup : rollup.client[query.client];
      if (!scope) continue;
      addTotals(totals, scope.total);
      if (query.groupBy === 'day') addInto(groups, day, scope.total);
      else if (query.groupBy === 'client') for (const [key, value] of clientTotals(rollup, query.client)) addInto(groups, key, value);
      else if (query.groupBy) for (const [key, value] of groupEntries(scope, query.groupBy)) addInto(groups, key, value);
    }
    return summaryOf(query, totals, [...groups].map(([key, value]) => ({ key, totals: value })));
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

const addToBreakdown = (breakdown: Breakdown, record: UsageRecord): void => {
  addRecord(breakdown.total, record);
  for (const dimension of BREAKDOWN_DIMENSIONS) addRecord((breakdown[dimension][record[dimension]] ??= emptyTotals()), record);
  for (const dimension of OPTIONAL_DIMENSIONS) {
    const value = record[dimension];
    if (value !== undefined) addRecord(((breakdown[dimension] ??= keyed())[value] ??= emptyTotals()), record);
  }
  if (!record.tags) return;
  const tag = (breakdown.tag ??= keyed());
  for (const [key, value] of Object.entries(record.tags)) addRecord(((tag[key] ??= keyed())[value] ??= emptyTotals()), record);
};

const addToRollup = (rollup: DayRollup, record: UsageRecord): void => {
  addToBreakdown(rollup, record);
  addToBreakdown((rollup.client[record.client] ??= emptyBreakdown()), record);
};

const mergeTotalsMap = (into: Record<string, UsageTotals>, from: Record<string, UsageTotals>): void => {
  for (const [key, value] of Object.entries(from)) addTotals((into[key] ??= emptyTotals()), value);
};

const mergeBreakdown = (into: Breakdown, from: Breakdown): void => {
  addTotals(into.total, from.total);
  for (const dimension of BREAKDOWN_DIMENSIONS) mergeTotalsMap(into[dimension], from[dimension]);
  for (const dimension of OPTIONAL_DIMENSIONS) if (from[dimension]) mergeTotalsMap((into[dimension] ??= keyed()), from[dimension]);
  for (const [key, values] of Object.entries(from.tag ?? {})) mergeTotalsMap(((into.tag ??= keyed())[key] ??= keyed()), values);
};

/** The totals a budget reads, for everyone or one scope. */
const scopedTotals = (rollup: DayRollup, scope: SpendScope | undefined): UsageTotals | undefined => {
  if (scope === undefined) return rollup.total;
  if ('client' in scope) return rollup.client[scope.client]?.total;
  if ('team' in scope) return rollup.team?.[scope.team];
  return rollup.tag?.[scope.tag]?.[scope.value];
};

/** A breakdown's groups for one dimension; for a team, user or tag, the records without one form
 * the NO_VALUE_GROUP (what the total holds beyond the groups). */
const groupEntries = (scope: Breakdown, groupBy: Exclude<GroupDimension, 'day' | 'client'>): [string, UsageTotals][] => {
  if (groupBy === 'model' || groupBy === 'provider' || groupBy === 'endpoint') return Object.entries(scope[groupBy]);
  const groups = groupBy.startsWith('tag:') ? scope.tag?.[groupBy.slice(4)] : scope[groupBy as OptionalDimension];
  const entries = Object.entries(groups ?? {});
  const rest = { ...scope.total };
  for (const [, totals] of entries) subtractTotals(rest, totals);
  return rest.requests > 0 ? [...entries, [NO_VALUE_GROUP, rest]] : entries;
};

const mergeRollup = (into: DayRollup, from: DayRollup): void => {
  mergeBreakdown(into, from);
  for (const [client, breakdown] of Object.entries(from.client)) mergeBreakdown((into.client[client] ??= emptyBreakdown()), breakdown);
};

/** Each client's totals of a day, or only the one client's. */
const clientTotals = (rollup: DayRollup, only: string | undefined): [string, UsageTotals][] => {
  if (only === undefined) return Object.entries(rollup.client).map(([client, breakdown]) => [client, breakdown.total]);
  const own = rollup.client[only];
  return own ? [[only, own.total]] : [];
};

const addInto = (groups: Map<string, UsageTotals>, key: string, value: UsageTotals): void => {
  let totals = groups.get(key);
  if (!totals) {
    totals = emptyTotals();
    groups.set(key, totals);
  }
  addTotals(totals, value);
};

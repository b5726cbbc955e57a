import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { UsageQuery, UsageSummary } from '../../proxy/usage/usage-rollups.js';
import type { UsageTotals } from '../../proxy/usage/usage-totals.js';
import { BREAKDOWNS, type Breakdown, type BreakdownRow, type ChartStack, type CostChart, type PeriodTotals, type RequestRow, type TotalsView } from './protocol.js';
import { MAX_CHART_SERIES, OTHER_SERIES } from './view-constants.js';
import { daysBetween, lastDaysRange, monthRange, todayRange, type DayRange } from './usage-periods.js';
import { roundUsd } from './round-usd.js';

/** The part of the ledger the panel reads: its rollup queries and its recent records. */
export interface UsageReader {
  summary(query: UsageQuery): UsageSummary;
  recent(limit?: number): UsageRecord[];
}

export { MAX_CHART_SERIES, OTHER_SERIES } from './view-constants.js';
/** Rows the request table gets; its filter and search run over these. */
export const MAX_REQUEST_ROWS = 500;


export const totalsView = (totals: UsageTotals): TotalsView => ({
  requests: totals.requests,
  errors: totals.errors,
  promptTokens: totals.promptTokens,
  completionTokens: totals.completionTokens,
  costUsd: roundUsd(totals.costUsd),
  unknownCostRequests: totals.unknownCostRequests,
});

/** The three totals cards: today, the last 7 days, this month (UTC days, as the ledger counts). */
export const periodTotals = (reader: UsageReader, now: Date): PeriodTotals[] => {
  const periods: [PeriodTotals['id'], string, DayRange][] = [
    ['today', 'Today', todayRange(now)],
    ['week', 'Last 7 days', lastDaysRange(now, 7)],
    ['month', 'This month', monthRange(now)],
  ];
  return periods.map(([id, label, range]) => ({ id, label, ...range, totals: totalsView(reader.summary(range).totals) }));
};

/** Cost per day of a range, one layer per provider or model; the layers with the most cost first,
 * the rest summed into "other". Each day's values come from the ledger's day rollup. */
export const costChart = (reader: UsageReader, range: DayRange, stackBy: ChartStack): CostChart => {
  const days = daysBetween(range.fromDay, range.toDay);
  const ranked = reader.summary({ ...range, groupBy: stackBy }).groups.filter((group) => group.totals.costUsd > 0);
  const shown = ranked.length > MAX_CHART_SERIES ? ranked.slice(0, MAX_CHART_SERIES - 1) : ranked;
  const index = new Map(shown.map((group, position) => [group.key, position]));
  const folded = ranked.length > shown.length;
  const values = shown.map(() => days.map(() => 0));
  const other = days.map(() => 0);
  days.forEach((day, dayIndex) => {
    for (const group of reader.summary({ fromDay: day, toDay: day, groupBy: stackBy }).groups) {
      const position = index.get(group.key);
      if (position !== undefined) values[position]![dayIndex]! += group.totals.costUsd;
      else other[dayIndex]! += group.totals.costUsd;
    }
  });
  const series = shown.map((group, position) => ({ key: group.key, values: values[position]!.map(roundUsd) }));
  if (folded) series.push({ key: OTHER_SERIES, values: other.map(roundUsd) });
  return { stackBy, days, series };
};

/** One dimension's rows for a range, most cost first, each with its share of the known cost. */
export const breakdownRows = (reader: UsageReader, range: DayRange, dimension: Breakdown): BreakdownRow[] => {
  const summary = reader.summary({ ...range, groupBy: dimension });
  const total = summary.totals.costUsd;
  return summary.groups.map((group) => ({ key: group.key, ...totalsView(group.totals), costShare: total > 0 ? group.totals.costUsd / total : 0 }));
};

export const allBreakdowns = (reader: UsageReader, range: DayRange): Record<Breakdown, BreakdownRow[]> =>
  Object.fromEntries(BREAKDOWNS.map((dimension) => [dimension, breakdownRows(reader, range, dimension)])) as Record<Breakdown, BreakdownRow[]>;

export const requestRow = (record: UsageRecord): RequestRow => ({
  time: record.time,
  requestId: record.requestId,
  client: record.client,
  endpoint: record.endpoint,
  provider: record.provider,
  model: record.model,
  stream: record.stream,
  status: record.status,
  promptTokens: record.promptTokens,
  completionTokens: record.completionTokens,
  costUsd: record.costUsd,
  costSource: record.costSource,
  latencyMs: record.latencyMs,
  timeToFirstTokenMs: record.timeToFirstTokenMs,
  errorCode: record.errorCode,
  ...(record.team ? { team: record.team } : {}),
  ...(record.user ? { user: record.user } : {}),
  ...(record.tags ? { tags: { ...record.tags } } : {}),
});

/** The newest requests of a range, newest first (by time: records finish out of order). */
export const recentRows = (reader: UsageReader, range: DayRange, limit = MAX_REQUEST_ROWS): RequestRow[] =>
  reader
    .recent(limit)
    .filter((record) => {
      const day = record.time.slice(0, 10);
      return day >= range.fromDay && day <= range.toDay;
    })
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
    .map(requestRow);

/** Nothing recorded yet, ever: the panel shows how to make a first request. */
export const ledgerIsEmpty = (reader: UsageReader): boolean => reader.summary({}).totals.requests === 0;

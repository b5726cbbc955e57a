import { emptyTotals } from '../../proxy/usage/usage-totals.js';
import type { LedgerLoadProgress } from '../../proxy/usage/usage-ledger.js';
import type { BudgetView, ChartStack, GatewayHint, UsageRange, UsageSnapshot } from './protocol.js';
import { rangeFor } from './usage-periods.js';
import { allBreakdowns, costChart, ledgerIsEmpty, periodTotals, recentRows, type UsageReader } from './usage-view-model.js';

export interface SnapshotInput {
  /** The ledger, or undefined while none is connected (nothing is recorded then). */
  reader: UsageReader | undefined;
  /** How far the ledger's start is, while it still reads its months. */
  loading?: LedgerLoadProgress;
  range: UsageRange;
  stackBy: ChartStack;
  budgets: BudgetView[];
  gateway: GatewayHint;
  now: Date;
}

/** An in-memory stand-in while no ledger is connected: every query answers nothing. */
const NOTHING: UsageReader = {
  summary: (query) => ({
    fromDay: query.fromDay ?? null,
    toDay: query.toDay ?? null,
    groupBy: query.groupBy ?? null,
    totals: emptyTotals(),
    groups: [],
  }),
  recent: () => [],
};

/** Everything the panel shows, computed from the ledger's rollups in one pass of queries. */
export const buildSnapshot = (input: SnapshotInput): UsageSnapshot => {
  const reader = input.reader ?? NOTHING;
  const range = rangeFor(input.range, input.now);
  return {
    generatedAt: input.now.toISOString(),
    range: input.range,
    stackBy: input.stackBy,
    ...range,
    empty: ledgerIsEmpty(reader),
    recording: input.reader !== undefined,
    rebuilding: input.loading && !input.loading.done ? { monthsRead: input.loading.monthsRead, months: input.loading.months } : null,
    periods: periodTotals(reader, input.now),
    chart: costChart(reader, range, input.stackBy),
    breakdowns: allBreakdowns(reader, range),
    requests: recentRows(reader, range),
    budgets: input.budgets,
    gateway: input.gateway,
  };
};

import type { ReportCardRow } from '../../extension/usage/protocol.js';

/** The report card's sortable columns and how each reads its value from a row. */
export const CARD_COLUMNS = [
  { key: 'model', title: 'Model', value: (row: ReportCardRow) => row.model },
  { key: 'requests', title: 'Requests', value: (row: ReportCardRow) => row.requests },
  { key: 'costPerRequestUsd', title: 'Cost / request', value: (row: ReportCardRow) => row.costPerRequestUsd },
  { key: 'p50LatencyMs', title: 'p50 latency', value: (row: ReportCardRow) => row.p50LatencyMs },
  { key: 'p90LatencyMs', title: 'p90 latency', value: (row: ReportCardRow) => row.p90LatencyMs },
  { key: 'p50FirstTokenMs', title: 'p50 first token', value: (row: ReportCardRow) => row.p50FirstTokenMs },
  { key: 'tokensPerSecond', title: 'Tokens/s', value: (row: ReportCardRow) => row.tokensPerSecond },
  { key: 'thumbsUpShare', title: 'Thumbs up', value: (row: ReportCardRow) => row.thumbsUpShare },
  { key: 'winRate', title: 'Win rate', value: (row: ReportCardRow) => row.winRate },
] as const;

export type CardColumn = (typeof CARD_COLUMNS)[number]['key'];

export interface CardSort {
  column: CardColumn;
  descending: boolean;
}

/** Rows in the chosen order; rows without a value (null) go last either way. */
export const sortRows = (rows: readonly ReportCardRow[], sort: CardSort): ReportCardRow[] => {
  const column = CARD_COLUMNS.find((entry) => entry.key === sort.column) ?? CARD_COLUMNS[1];
  const direction = sort.descending ? -1 : 1;
  return [...rows].sort((left, right) => {
    const a = column.value(left);
    const b = column.value(right);
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    const order = typeof a === 'string' ? a.localeCompare(b as string) : a - (b as number);
    return order * direction || left.model.localeCompare(right.model);
  });
};

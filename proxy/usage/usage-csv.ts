import type { UsageRecord } from './usage-record.js';
import type { UsageSummary } from './usage-rollups.js';
import { presentTotals, type UsageTotals } from './usage-totals.js';

export const RECORD_COLUMNS: readonly (keyof UsageRecord)[] = [
  'time', 'requestId', 'client', 'endpoint', 'provider', 'model', 'requestedModel', 'stream', 'status',
  'promptTokens', 'completionTokens', 'cachedTokens', 'cacheCreationTokens', 'reasoningTokens',
  'images', 'audioSeconds', 'videoSeconds', 'characters', 'costUsd', 'costSource', 'costSourceDetail',
  'latencyMs', 'timeToFirstTokenMs', 'errorCode',
];

const TOTAL_COLUMNS: readonly (keyof UsageTotals)[] = [
  'requests', 'errors', 'promptTokens', 'completionTokens', 'cachedTokens', 'cacheCreationTokens', 'reasoningTokens',
  'images', 'audioSeconds', 'videoSeconds', 'characters', 'costUsd', 'unknownCostRequests', 'estimatedCostRequests', 'unbilledRequests', 'latencyMsTotal',
];

/** One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula is prefixed
 * with a quote mark: model ids come from clients. */
export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

const line = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export const recordsCsvHeader = (): string => line([...RECORD_COLUMNS]);
export const recordCsvLine = (record: UsageRecord): string => line(RECORD_COLUMNS.map((column) => record[column]));

/** A summary as CSV: one row per group (or one `total` row when not grouped). */
export const summaryCsv = (summary: UsageSummary): string => {
  let text = line([summary.groupBy ?? 'scope', ...TOTAL_COLUMNS]);
  const rows = summary.groupBy ? summary.groups : [{ key: 'total', totals: summary.totals }];
  for (const row of rows) {
    const totals = presentTotals(row.totals);
    text += line([row.key, ...TOTAL_COLUMNS.map((column) => totals[column])]);
  }
  return text;
};

import type { UsageRecord } from './usage-record.js';
import type { UsageSummary } from './usage-rollups.js';
import { presentTotals, type UsageTotals } from './usage-totals.js';

export const RECORD_COLUMNS: readonly (keyof UsageRecord)[] = [
  'time', 'requestId', 'client', 'endpoint', 'provider', 'model', 'requestedModel', 'stream', 'status',
  'promptTokens', 'completionTokens', 'cachedTokens', 'cacheCreationTokens', 'reasoningTokens',
  'images', 'audioSeconds', 'videoSeconds', 'characters', 'costUsd', 'costSource', 'costSourceDetail',
  'latencyMs', 'timeToFirstTokenMs', 'errorCode', 'team', 'user', 'tags',
];

const TOTAL_COLUMNS: readonly (keyof UsageTotals)[] = [
  'requests', 'errors', 'promptTokens', 'completionTokens', 'cachedTokens', 'cacheCreationTokens', 'reasoningTokens',
  'images', 'audioSeconds', 'videoSeconds', 'characters', 'costUsd', 'unknownCostRequests', 'estimatedCostRequests', 'unbilledRequests', 'latencyMsTotal',
];

/** A formula start (`=`, `+`, `-`, `@`, tab, CR, and the full-width forms some spreadsheets convert)
 * at the start of the text or after a character a spreadsheet may split a cell on (`,` `;` `|` tab
 * CR LF, whichever separator it was told to use or guessed), with spaces or quote marks between. */
const FORMULA_START = /(?<=(?:^|[,;|\t\r\n])[ "]*)(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])/g;

/** Text with a quote mark before every formula start, at its beginning and after every separator,
 * so `x;=1+1` opened with `;` as the separator is two cells of text. Model ids, client names and
 * error codes come from clients and upstreams. */
export const neutraliseFormulas = (text: string): string => text.replace(FORMULA_START, "'");

/** One CSV cell: numbers and booleans bare (a spreadsheet keeps them numbers), nothing empty, every
 * text quoted (RFC 4180) after its formula starts are neutralised. */
export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  return `"${neutraliseFormulas(String(value)).replace(/"/g, '""')}"`;
};

const line = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export const recordsCsvHeader = (): string => line([...RECORD_COLUMNS]);
/** Tags in one cell as `key=value;key=value`. */
const tagsCell = (tags: UsageRecord['tags']): string | undefined => (tags ? Object.entries(tags).map(([key, value]) => `${key}=${value}`).join(';') : undefined);

export const recordCsvLine = (record: UsageRecord): string => line(RECORD_COLUMNS.map((column) => (column === 'tags' ? tagsCell(record.tags) : record[column])));

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

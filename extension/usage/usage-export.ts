import { recordCsvLine, recordsCsvHeader, summaryCsv } from '../../proxy/usage/usage-csv.js';
import type { RatingStore } from '../../proxy/usage/ratings.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { UsageQuery, UsageSummary } from '../../proxy/usage/usage-rollups.js';
import type { Breakdown, ExportView, RequestFilter } from './protocol.js';
import { buildReportCard } from './report-card.js';
import { reportCardCsv } from './report-card-csv.js';
import { matchesFilter, NO_FILTER } from './request-filter.js';
import type { DayRange } from './usage-periods.js';

/** What an export reads: the ledger's rollup queries and its records of a period. */
export interface ExportSource {
  summary(query: UsageQuery): UsageSummary;
  records(query: Pick<UsageQuery, 'fromDay' | 'toDay'>): AsyncIterable<UsageRecord>;
  /** Ratings of answers (the report card); none without them. */
  ratings?: Pick<RatingStore, 'list'>;
}

/** How far an export of requests is: records read of those the range holds. */
export interface ExportProgress {
  read: number;
  total: number;
}

export interface ExportOptions {
  /** Takes the CSV piece by piece, in order; awaited (a file taking its time slows the reading). */
  write: (text: string) => Promise<void> | void;
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
}

export interface ExportRequest {
  view: ExportView;
  breakdown?: Breakdown;
  filter?: RequestFilter;
}

/** A file name saying what and which days: `modapi-usage-model-2026-11-01-2026-11-22.csv`. */
export const exportFileName = (request: ExportRequest, range: DayRange): string => {
  // `tag:customer` becomes `tag-customer`: a colon is not allowed in a Windows file name.
  const what = (request.view === 'breakdown' ? (request.breakdown ?? 'model') : request.view).replace(':', '-');
  return `modapi-usage-${what}-${range.fromDay}-${range.toDay}.csv`;
};

const PIECE_CHARS = 64 * 1024;
const PROGRESS_EVERY = 5_000;

/** The rows of the range that pass the table's filter, oldest first, read from the ledger line by
 * line (the event loop keeps turning) and written in pieces; returns how many there were. */
const writeRequests = async (source: ExportSource, filter: RequestFilter, range: DayRange, options: ExportOptions): Promise<number> => {
  const total = source.summary(range).totals.requests;
  let text = recordsCsvHeader();
  let rows = 0;
  let read = 0;
  for await (const record of source.records(range)) {
    options.signal?.throwIfAborted();
    read += 1;
    if (read % PROGRESS_EVERY === 0) options.onProgress?.({ read, total });
    if (!matchesFilter(record, filter)) continue;
    rows += 1;
    text += recordCsvLine(record);
    if (text.length >= PIECE_CHARS) {
      await options.write(text);
      text = '';
    }
  }
  await options.write(text);
  options.onProgress?.({ read, total });
  return rows;
};

/** The CSV of one panel view over a range, built by the ledger's own CSV code: the totals, the
 * cost per day, one breakdown, or every request of the range that passes the table's filter.
 * Returns the number of rows written (the header aside). */
export const exportCsv = async (source: ExportSource, request: ExportRequest, range: DayRange, options: ExportOptions): Promise<number> => {
  if (request.view === 'requests') return writeRequests(source, request.filter ?? NO_FILTER, range, options);
  if (request.view === 'report-card') {
    const card = await buildReportCard(source.records(range), (await source.ratings?.list(range)) ?? [], range);
    await options.write(reportCardCsv(card));
    return card.rows.length;
  }
  const groupBy = request.view === 'daily' ? 'day' : request.view === 'breakdown' ? (request.breakdown ?? 'model') : undefined;
  const summary = source.summary({ ...range, groupBy });
  await options.write(summaryCsv(summary));
  return groupBy ? summary.groups.length : 1;
};

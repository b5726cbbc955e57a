import { recordCsvLine, recordsCsvHeader, summaryCsv } from '../../proxy/usage/usage-csv.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { UsageQuery, UsageSummary } from '../../proxy/usage/usage-rollups.js';
import type { Breakdown, ExportView, RequestFilter } from './protocol.js';
import { matchesFilter, NO_FILTER } from './request-filter.js';
import type { DayRange } from './usage-periods.js';

/** What an export reads: the ledger's rollup queries and its records of a period. */
export interface ExportSource {
  summary(query: UsageQuery): UsageSummary;
  records(query: Pick<UsageQuery, 'fromDay' | 'toDay'>): Iterable<UsageRecord>;
}

export interface ExportRequest {
  view: ExportView;
  breakdown?: Breakdown;
  filter?: RequestFilter;
}

/** A file name saying what and which days: `modapi-usage-model-2026-11-01-2026-11-22.csv`. */
export const exportFileName = (request: ExportRequest, range: DayRange): string => {
  const what = request.view === 'breakdown' ? (request.breakdown ?? 'model') : request.view;
  return `modapi-usage-${what}-${range.fromDay}-${range.toDay}.csv`;
};

/** The CSV of one panel view over a range, built by the ledger's own CSV code: the totals, the
 * cost per day, one breakdown, or every request of the range that passes the table's filter. */
export const exportCsv = (source: ExportSource, request: ExportRequest, range: DayRange): string => {
  switch (request.view) {
    case 'totals':
      return summaryCsv(source.summary(range));
    case 'daily':
      return summaryCsv(source.summary({ ...range, groupBy: 'day' }));
    case 'breakdown':
      return summaryCsv(source.summary({ ...range, groupBy: request.breakdown ?? 'model' }));
    case 'requests': {
      const filter = request.filter ?? NO_FILTER;
      let text = recordsCsvHeader();
      for (const record of source.records(range)) if (matchesFilter(record, filter)) text += recordCsvLine(record);
      return text;
    }
  }
};

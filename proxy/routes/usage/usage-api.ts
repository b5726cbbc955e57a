import type { Request, Response, Router } from 'express';
import { GatewayError } from '../../errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { UsageLedger } from '../../usage/usage-ledger.js';
import { recordCsvLine, recordsCsvHeader, summaryCsv } from '../../usage/usage-csv.js';
import type { UsageSummary } from '../../usage/usage-rollups.js';
import { presentTotals } from '../../usage/usage-totals.js';
import { parseRecentLimit, parseUsageQuery, type ParsedUsageQuery } from './usage-query.js';

const ledgerOf = (gateway: GatewayContext): UsageLedger => {
  if (!gateway.ledger) throw GatewayError.notFound('This gateway keeps no usage ledger.');
  return gateway.ledger;
};

const summaryJson = (summary: UsageSummary) => ({
  object: 'usage.summary',
  from: summary.fromDay,
  to: summary.toDay,
  group_by: summary.groupBy,
  totals: presentTotals(summary.totals),
  groups: summary.groups.map((group) => ({ key: group.key, ...presentTotals(group.totals) })),
});

/** CSV of a period: the groups when grouped, else every record of the period, streamed. */
const sendCsv = (ledger: UsageLedger, query: ParsedUsageQuery, response: Response): void => {
  response.setHeader('content-type', 'text/csv; charset=utf-8');
  response.setHeader('content-disposition', `attachment; filename="modapi-usage-${query.fromDay ?? 'start'}-${query.toDay ?? 'now'}.csv"`);
  if (query.groupBy) {
    response.end(summaryCsv(ledger.summary(query)));
    return;
  }
  let text = recordsCsvHeader();
  for (const record of ledger.records(query)) {
    text += recordCsvLine(record);
    if (text.length > 64 * 1024) {
      response.write(text);
      text = '';
    }
  }
  response.end(text);
};

const usage = (gateway: GatewayContext, csv: boolean) => (request: Request, response: Response) => {
  const ledger = ledgerOf(gateway);
  const query = parseUsageQuery(request.query);
  if (csv || query.format === 'csv') sendCsv(ledger, query, response);
  else response.json(summaryJson(ledger.summary(query)));
};

const recent = (gateway: GatewayContext) => (request: Request, response: Response) => {
  const limit = parseRecentLimit(request.query.limit);
  response.json({ object: 'list', data: ledgerOf(gateway).recent(limit) });
};

/** The usage API under /modapi (behind the token guard): `GET /modapi/usage?from=&to=&group_by=`,
 * `GET /modapi/usage.csv` (or `format=csv`), `GET /modapi/usage/recent?limit=`. */
export const mountUsageApi = (router: Router, gateway: GatewayContext): void => {
  router.get('/usage', usage(gateway, false));
  router.get('/usage.csv', usage(gateway, true));
  router.get('/usage/recent', recent(gateway));
};

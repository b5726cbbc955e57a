import type { Request, Response, Router } from 'express';
import { GatewayError } from '../../errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { LocalClient } from '../../server/local-tokens.js';
import type { UsageReports } from '../../store/store-seam.js';
import type { UsageLedger } from '../../usage/usage-ledger.js';
import { recordCsvLine, recordsCsvHeader, summaryCsv } from '../../usage/usage-csv.js';
import type { UsageSummary } from '../../usage/usage-rollups.js';
import { presentTotals } from '../../usage/usage-totals.js';
import { emptyQuality, MIN_COMPARISONS, qualityByModel, type ModelQuality } from '../../usage/model-quality.js';
import { parseRecentLimit, parseUsageQuery, type ParsedUsageQuery } from './usage-query.js';

const ledgerOf = (gateway: GatewayContext): UsageLedger => {
  if (!gateway.ledger) throw GatewayError.notFound('This gateway keeps no usage ledger.');
  return gateway.ledger;
};

/** Summaries, records and recent ones come from the store seam (the ledger, or the team store's
 * Postgres); ratings stay this gateway's own ledger's. */
const reportsOf = (gateway: GatewayContext): UsageReports => {
  if (!gateway.usageReports) throw GatewayError.notFound('This gateway keeps no usage ledger.');
  return gateway.usageReports;
};

/** Whose records a caller reads: a token marked `admin` in the configuration reads every client's,
 * any other token only its own (its tools' usage is its business; another tool's is not). */
const scopeOf = (response: Response): string | undefined => {
  const client = (response.locals as { client?: LocalClient }).client;
  // The token guard always names the client; without one, a scope that matches no record.
  return client?.admin ? undefined : (client?.name ?? '');
};

const summaryJson = (summary: UsageSummary, query: ParsedUsageQuery, rebuilding: boolean, quality?: Map<string, ModelQuality>) => ({
  object: 'usage.summary',
  from: summary.fromDay,
  to: summary.toDay,
  group_by: summary.groupBy,
  client: query.client ?? null,
  filters: { team: query.team ?? null, user: query.user ?? null, tags: query.tags ?? null },
  /** The rollups are still being built at start: the figures may be short until they are. */
  rebuilding,
  totals: presentTotals(summary.totals),
  groups: summary.groups.map((group) => ({ key: group.key, ...presentTotals(group.totals), ...(quality ? { quality: quality.get(group.key) ?? emptyQuality() } : {}) })),
  ...(quality ? { minimum_comparisons: MIN_COMPARISONS } : {}),
});

/** Per model, what people thought of the answers (the ratings of the same period and scope). */
const modelQuality = async (ledger: UsageLedger, query: ParsedUsageQuery): Promise<Map<string, ModelQuality> | undefined> =>
  query.groupBy === 'model' ? qualityByModel(await ledger.ratings.list({ fromDay: query.fromDay, toDay: query.toDay, client: query.client })) : undefined;

/** Waits until the response can take more (or the client is gone). */
const writable = (response: Response): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });

const CSV_PIECE_CHARS = 64 * 1024;

/** Every record of a period as CSV, read line by line and sent in pieces as the client takes them. */
const sendRecordsCsv = async (reports: UsageReports, query: ParsedUsageQuery, response: Response): Promise<void> => {
  let text = recordsCsvHeader();
  for await (const record of reports.records(query)) {
    text += recordCsvLine(record);
    if (text.length < CSV_PIECE_CHARS) continue;
    const more = response.write(text);
    text = '';
    if (!more) await writable(response);
    if (response.destroyed) return;
  }
  response.end(text);
};

/** CSV of a period, from the store seam: the groups when grouped, else every record of the period,
 * streamed. */
const sendCsv = async (gateway: GatewayContext, query: ParsedUsageQuery, response: Response): Promise<void> => {
  const reports = reportsOf(gateway);
  response.setHeader('content-type', 'text/csv; charset=utf-8');
  response.setHeader('content-disposition', `attachment; filename="modapi-usage-${query.fromDay ?? 'start'}-${query.toDay ?? 'now'}.csv"`);
  response.setHeader('x-modapi-usage-rebuilding', String(reports.loading));
  if (query.groupBy) response.end(summaryCsv(await reports.summarize(query)));
  else await sendRecordsCsv(reports, query, response);
};

const usage = (gateway: GatewayContext, csv: boolean) => async (request: Request, response: Response) => {
  const query = { ...parseUsageQuery(request.query), client: scopeOf(response) };
  if (csv || query.format === 'csv') {
    await sendCsv(gateway, query, response);
    return;
  }
  const reports = reportsOf(gateway);
  response.json(summaryJson(await reports.summarize(query), query, reports.loading, await modelQuality(ledgerOf(gateway), query)));
};

const recent = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const limit = parseRecentLimit(request.query.limit);
  response.json({ object: 'list', data: await reportsOf(gateway).recent(limit, scopeOf(response)) });
};

/** The usage API under /modapi (behind the token guard): `GET /modapi/usage?from=&to=&group_by=`
 * (model, provider, client, endpoint, day, team, user, tag:KEY) with filters `team=`, `user=`,
 * `tag=KEY=VALUE`,
 * `GET /modapi/usage.csv` (or `format=csv`), `GET /modapi/usage/recent?limit=`. Each token reads
 * its own records; a token marked `admin` reads everyone's. */
export const mountUsageApi = (router: Router, gateway: GatewayContext): void => {
  router.get('/usage', usage(gateway, false));
  router.get('/usage.csv', usage(gateway, true));
  router.get('/usage/recent', recent(gateway));
};

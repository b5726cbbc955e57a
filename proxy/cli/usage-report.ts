import { existsSync } from 'node:fs';
import { parseUsageQuery, type ParsedUsageQuery } from '../routes/usage/usage-query.js';
import { openPostgresPool } from '../store/team/drivers.js';
import { summarizeUsage } from '../store/team/postgres-usage-summary.js';
import { emptyQuality, MIN_COMPARISONS, qualityByModel, type ModelQuality } from '../usage/model-quality.js';
import { UsageLedger } from '../usage/usage-ledger.js';
import type { RecordFilter, UsageSummary } from '../usage/usage-rollups.js';
import { presentTotals, type UsageTotals } from '../usage/usage-totals.js';
import type { CliArguments } from './arguments.js';
import { dataFolder, defaultLedgerFolder } from './data-folder.js';
import { storeUrlOf } from './team-arguments.js';

interface Column {
  title: string;
  value: (totals: UsageTotals) => string;
}

const integer = (value: number): string => Math.round(value).toLocaleString('en-US');

const COLUMNS: Column[] = [
  { title: 'requests', value: (totals) => integer(totals.requests) },
  { title: 'errors', value: (totals) => integer(totals.errors) },
  { title: 'prompt tok', value: (totals) => integer(totals.promptTokens) },
  { title: 'cached tok', value: (totals) => integer(totals.cachedTokens) },
  { title: 'completion tok', value: (totals) => integer(totals.completionTokens) },
  { title: 'reasoning tok', value: (totals) => integer(totals.reasoningTokens) },
  { title: 'images', value: (totals) => integer(totals.images) },
  { title: 'audio+video s', value: (totals) => (totals.audioSeconds + totals.videoSeconds).toFixed(1) },
  { title: 'cost USD', value: (totals) => presentTotals(totals).costUsd.toFixed(4) },
  { title: 'unknown cost', value: (totals) => integer(totals.unknownCostRequests) },
];

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** Per model, beside the usage: thumbs up as a share of the thumbs, and the comparison win rate
 * with its count (the rate only from the minimum count on). */
const QUALITY_COLUMNS: { title: string; value: (quality: ModelQuality) => string }[] = [
  { title: 'thumbs up', value: (quality) => (quality.thumbsUpShare === null ? '-' : `${percent(quality.thumbsUpShare)} of ${quality.thumbsUp + quality.thumbsDown}`) },
  { title: 'win rate', value: (quality) => `${quality.winRate === null ? '-' : percent(quality.winRate)} of ${quality.comparisons}` },
  { title: 'regenerated', value: (quality) => integer(quality.regenerations) },
];

/** A summary as an aligned text table, one row per group and a total row; with the models'
 * quality figures when given. */
export const formatUsageTable = (summary: UsageSummary & RecordFilter, quality?: Map<string, ModelQuality>): string => {
  const label = summary.groupBy ?? 'period';
  const qualityCells = (key: string | undefined): string[] => (quality ? QUALITY_COLUMNS.map((column) => (key === undefined ? '' : column.value(quality.get(key) ?? emptyQuality()))) : []);
  const rows = [
    ...summary.groups.map((group) => [group.key, ...COLUMNS.map((column) => column.value(group.totals)), ...qualityCells(group.key)]),
    ['total', ...COLUMNS.map((column) => column.value(summary.totals)), ...qualityCells(undefined)],
  ];
  const header = [label, ...COLUMNS.map((column) => column.title), ...(quality ? QUALITY_COLUMNS.map((column) => column.title) : [])];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] as string).length)));
  const format = (row: string[]) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[0] as number) : cell.padStart(widths[index] as number))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const period = `usage from ${summary.fromDay ?? 'the first record'} to ${summary.toDay ?? 'now'} (UTC days)${describeFilter(summary)}`;
  const note = quality ? ['', `win rate: wins of the comparisons in Compare; no rate under ${MIN_COMPARISONS} comparisons`] : [];
  return [period, '', format(header), rule, ...rows.slice(0, -1).map(format), rule, format(rows.at(-1) as string[]), ...note].join('\n');
};

const describeFilter = (query: RecordFilter): string => {
  const parts = [...(query.team ? [`team ${query.team}`] : []), ...(query.user ? [`user ${query.user}`] : []), ...Object.entries(query.tags ?? {}).map(([key, value]) => `${key}=${value}`)];
  return parts.length > 0 ? `, only ${parts.join(', ')}` : '';
};

/** The report of a team store: everyone's usage as Postgres has it. Ratings stay with each
 * replica's ledger, so no quality figures. */
const storeReport = async (storeUrl: string, query: ParsedUsageQuery, print: (text: string) => void): Promise<void> => {
  const pool = await openPostgresPool({ connectionString: storeUrl, max: 1, connectionTimeoutMillis: 5_000 });
  try {
    print(formatUsageTable({ ...(await summarizeUsage(pool, query)), ...query }));
    if (query.groupBy === 'model') print('\nquality figures (ratings) are kept by each replica: ask a replica for them');
  } finally {
    await pool.end();
  }
};

/** `modapi-gateway usage [--ledger DIR | --store URL] [--from --to --group-by --team --user --tag
 * K=V]`: prints a table for a period; from the team store with --store (or MODAPI_STORE_URL
 * unless --ledger is given), else from the data folder's ledger or the one --ledger names. */
export const usageReport = async (cli: CliArguments, print: (text: string) => void = console.log, environment: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const query = parseUsageQuery({ from: cli.from, to: cli.to, group_by: cli.groupBy ?? 'model', team: cli.team, user: cli.user, tag: cli.tags });
  const storeUrl = cli.ledger === undefined ? storeUrlOf(cli.teamStore, environment) : cli.teamStore?.store;
  if (storeUrl) {
    await storeReport(storeUrl, query, print);
    return;
  }
  const dir = cli.ledger ?? defaultLedgerFolder(dataFolder(environment));
  if (!existsSync(dir)) throw new Error(`no usage ledger at ${dir}${cli.ledger ? '' : ' (another folder: --ledger DIR)'}`);
  const ledger = await UsageLedger.open({ dir, recentLimit: 1 });
  try {
    const summary = await ledger.summarize(query);
    const quality = query.groupBy === 'model' ? qualityByModel(await ledger.ratings.list({ fromDay: query.fromDay, toDay: query.toDay })) : undefined;
    print(formatUsageTable({ ...summary, ...query }, quality));
    if (ledger.loadStats.skippedLines > 0) print(`\n${ledger.loadStats.skippedLines} damaged ledger line(s) skipped`);
  } finally {
    ledger.close();
  }
};

/** The one message protocol between the usage panel's webview and the extension. The webview imports
 * only its types; the extension validates every message the webview sends with `parseUsageViewMessage`
 * (a webview is a page: what it posts is input, never trusted). */
import { z } from 'zod';

export const USAGE_RANGES = ['7d', '30d', 'month', '90d'] as const;
/** The period the chart, the breakdowns and the request table cover. */
export type UsageRange = (typeof USAGE_RANGES)[number];

export const CHART_STACKS = ['provider', 'model'] as const;
/** What the daily cost chart is stacked by. */
export type ChartStack = (typeof CHART_STACKS)[number];

/** Each one a ledger grouping; `tag:customer` and `tag:feature` are the conventional cost tags
 * (`x-modapi-tags: feature=summarize,customer=acme`). */
export const BREAKDOWNS = ['model', 'provider', 'client', 'endpoint', 'team', 'user', 'tag:customer', 'tag:feature'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export const EXPORT_VIEWS = ['totals', 'daily', 'breakdown', 'requests', 'report-card'] as const;
export type ExportView = (typeof EXPORT_VIEWS)[number];

/** What a totals card or a breakdown row shows. Unknown costs are counted apart, never as $0. */
export interface TotalsView {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unknownCostRequests: number;
}

export interface PeriodTotals {
  id: 'today' | 'week' | 'month';
  label: string;
  fromDay: string;
  toDay: string;
  totals: TotalsView;
}

/** One stacked layer: the cost of one provider or model per day (not cumulative). */
export interface CostSeries {
  key: string;
  values: number[];
}

export interface CostChart {
  stackBy: ChartStack;
  /** UTC days, oldest first (YYYY-MM-DD). */
  days: string[];
  /** Largest first; the smallest ones folded into one "other" layer. */
  series: CostSeries[];
}

export interface BreakdownRow extends TotalsView {
  key: string;
  /** This row's part of the range's known cost, 0 to 1. */
  costShare: number;
}

/** One request as the table shows it: metadata only. */
export interface RequestRow {
  time: string;
  requestId: string;
  client: string;
  endpoint: string;
  provider: string;
  model: string;
  stream: boolean;
  status: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null;
  costSource: string;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  errorCode: string | null;
  /** Present only when the request had them. */
  team?: string;
  user?: string;
  tags?: Record<string, string>;
}

export type BudgetState = 'ok' | 'warning' | 'exceeded';

export interface BudgetView {
  /** `overall|day` or `token|aider|month`. */
  id: string;
  label: string;
  period: 'day' | 'month';
  periodKey: string;
  capUsd: number;
  spentUsd: number;
  /** Spent part of the cap, 0 and up (past 1 when over). */
  fraction: number;
  /** The warning threshold as a fraction of the cap. */
  warnAt: number;
  state: BudgetState;
}

/** What the empty state needs to explain a first request; never a token. */
export interface GatewayHint {
  /** `http://127.0.0.1:4141/v1`, or null when the gateway is not running. */
  url: string | null;
  /** The gateway's state in words ("running on ...", "off"). */
  status: string;
  /** A model to put in the example (the chosen one, else a default). */
  exampleModel: string;
}

export interface UsageSnapshot {
  generatedAt: string;
  range: UsageRange;
  stackBy: ChartStack;
  fromDay: string;
  toDay: string;
  /** No record at all in the ledger: show the first-request guide. */
  empty: boolean;
  /** Whether a ledger is connected (usage is being recorded). */
  recording: boolean;
  /** The ledger is still reading its months at start: the figures are short until it is done. */
  rebuilding: { monthsRead: number; months: number } | null;
  periods: PeriodTotals[];
  chart: CostChart;
  breakdowns: Record<Breakdown, BreakdownRow[]>;
  /** The latest requests of the range, newest first. */
  requests: RequestRow[];
  budgets: BudgetView[];
  gateway: GatewayHint;
}

/** One model's report card row over the range. Rates are 0 to 1; null when there is nothing to
 * measure (or, for the win rate, fewer comparisons than the minimum). */
export interface ReportCardRow {
  model: string;
  requests: number;
  costPerRequestUsd: number | null;
  p50LatencyMs: number | null;
  p90LatencyMs: number | null;
  p50FirstTokenMs: number | null;
  /** Median output speed of its answers. */
  tokensPerSecond: number | null;
  thumbsUp: number;
  thumbsDown: number;
  thumbsUpShare: number | null;
  wins: number;
  losses: number;
  comparisons: number;
  winRate: number | null;
  regenerations: number;
  /** Week by week (the card's `weeks`): win rate and cost per request. */
  weekly: { winRate: (number | null)[]; costPerRequestUsd: (number | null)[] };
}

export interface ReportCard {
  fromDay: string;
  toDay: string;
  minimumComparisons: number;
  /** The Monday (UTC) of each week the range touches, oldest first. */
  weeks: string[];
  rows: ReportCardRow[];
}

/** Extension -> webview. */
export type UsageHostMessage =
  | { type: 'snapshot'; snapshot: UsageSnapshot; reason: 'initial' | 'live' | 'query' }
  | { type: 'report-card'; card: ReportCard }
  | { type: 'notice'; level: 'info' | 'error'; message: string };

/** The request table's filter; shared by the table (webview) and its CSV export (extension). */
export interface RequestFilter {
  search: string;
  client: string;
  model: string;
  status: 'all' | 'ok' | 'error';
}

const key = z.string().max(300);

const filterSchema = z
  .object({ search: z.string().max(300), client: key, model: key, status: z.enum(['all', 'ok', 'error']) })
  .strict();

const viewMessageSchema = z.discriminatedUnion('type', [
  /** The page is loaded and shows this view (remembered across reloads). */
  z.object({ type: z.literal('ready'), range: z.enum(USAGE_RANGES), stackBy: z.enum(CHART_STACKS) }).strict(),
  z.object({ type: z.literal('set-view'), range: z.enum(USAGE_RANGES), stackBy: z.enum(CHART_STACKS) }).strict(),
  z.object({ type: z.literal('export'), view: z.enum(EXPORT_VIEWS), breakdown: z.enum(BREAKDOWNS).optional(), filter: filterSchema.optional() }).strict(),
  z.object({ type: z.literal('copy-gateway-url') }).strict(),
  z.object({ type: z.literal('copy-token') }).strict(),
  z.object({ type: z.literal('open-chat') }).strict(),
]);

/** Webview -> extension. */
export type UsageViewMessage = z.infer<typeof viewMessageSchema>;

/** The message if it is one the protocol allows, else undefined (the caller logs and drops it). */
export const parseUsageViewMessage = (message: unknown): UsageViewMessage | undefined => {
  const result = viewMessageSchema.safeParse(message);
  return result.success ? result.data : undefined;
};

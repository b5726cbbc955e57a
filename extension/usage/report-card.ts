import { emptyQuality, MIN_COMPARISONS, qualityByModel, type ModelQuality } from '../../proxy/usage/model-quality.js';
import type { Rating } from '../../proxy/usage/ratings.js';
import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import { tokensPerSecond } from '../chat/answer-metrics.js';
import type { ReportCard, ReportCardRow } from './protocol.js';
import { addDays, type DayRange } from './usage-periods.js';

/** The nearest-rank percentile of sorted values (null without any). */
export const percentile = (sorted: readonly number[], fraction: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;

/** The Monday (UTC) of a day's week. */
export const weekOf = (day: string): string => {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
};

/** Every week (its Monday) that a range touches, oldest first. */
export const weeksOf = (range: DayRange): string[] => {
  const weeks: string[] = [];
  for (let week = weekOf(range.fromDay); week <= range.toDay; week = addDays(week, 7)) weeks.push(week);
  return weeks;
};

/** What one model's records of the range add up to, kept until the figures are worked out. */
interface Samples {
  requests: number;
  pricedRequests: number;
  costUsd: number;
  latencies: number[];
  firstTokens: number[];
  speeds: number[];
  weekCost: Map<string, { costUsd: number; priced: number }>;
}

const emptySamples = (): Samples => ({ requests: 0, pricedRequests: 0, costUsd: 0, latencies: [], firstTokens: [], speeds: [], weekCost: new Map() });

const addSample = (samples: Samples, record: UsageRecord): void => {
  samples.requests += 1;
  // A request with nothing billable (refused) is no answer to price.
  if (record.costUsd !== null && record.costSource !== 'none') {
    samples.pricedRequests += 1;
    samples.costUsd += record.costUsd;
    const week = samples.weekCost.get(weekOf(record.time.slice(0, 10))) ?? { costUsd: 0, priced: 0 };
    week.costUsd += record.costUsd;
    week.priced += 1;
    samples.weekCost.set(weekOf(record.time.slice(0, 10)), week);
  }
  // Timings only of answers that came back: a refusal's few milliseconds say nothing of the model.
  if (record.status >= 400 || record.errorCode) return;
  samples.latencies.push(record.latencyMs);
  if (record.timeToFirstTokenMs !== null) samples.firstTokens.push(record.timeToFirstTokenMs);
  const speed = tokensPerSecond(record.completionTokens, record.latencyMs, record.timeToFirstTokenMs);
  if (speed !== null) samples.speeds.push(speed);
};

const sortNumbers = (values: number[]): number[] => values.sort((a, b) => a - b);
const roundUsd = (value: number): number => Math.round(value * 1e8) / 1e8;

const toRow = (model: string, samples: Samples, quality: ModelQuality, weeks: readonly string[], weeklyQuality: Map<string, Map<string, ModelQuality>>): ReportCardRow => {
  const latencies = sortNumbers(samples.latencies);
  return {
    model,
    requests: samples.requests,
    costPerRequestUsd: samples.pricedRequests > 0 ? roundUsd(samples.costUsd / samples.pricedRequests) : null,
    p50LatencyMs: percentile(latencies, 0.5),
    p90LatencyMs: percentile(latencies, 0.9),
    p50FirstTokenMs: percentile(sortNumbers(samples.firstTokens), 0.5),
    tokensPerSecond: percentile(sortNumbers(samples.speeds), 0.5),
    thumbsUp: quality.thumbsUp,
    thumbsDown: quality.thumbsDown,
    thumbsUpShare: quality.thumbsUpShare,
    wins: quality.wins,
    losses: quality.losses,
    comparisons: quality.comparisons,
    winRate: quality.winRate,
    regenerations: quality.regenerations,
    weekly: {
      winRate: weeks.map((week) => weeklyQuality.get(week)?.get(model)?.winRate ?? null),
      costPerRequestUsd: weeks.map((week) => {
        const cost = samples.weekCost.get(week);
        return cost && cost.priced > 0 ? roundUsd(cost.costUsd / cost.priced) : null;
      }),
    },
  };
};

/** Per model over a range: requests, cost per request, latency and first-token percentiles, output
 * speed, thumbs and comparison win rate (none under the minimum count), and the win rate and cost
 * per request week by week. Reads the range's records once, as they stream from the ledger. */
export const buildReportCard = async (records: AsyncIterable<UsageRecord>, ratings: readonly Rating[], range: DayRange, minimumComparisons = MIN_COMPARISONS): Promise<ReportCard> => {
  const samples = new Map<string, Samples>();
  for await (const record of records) {
    let entry = samples.get(record.model);
    if (!entry) samples.set(record.model, (entry = emptySamples()));
    addSample(entry, record);
  }
  const quality = qualityByModel(ratings, minimumComparisons);
  const weeks = weeksOf(range);
  const byWeek = new Map<string, Rating[]>();
  for (const rating of ratings) {
    const week = weekOf(rating.time.slice(0, 10));
    byWeek.set(week, [...(byWeek.get(week) ?? []), rating]);
  }
  const weeklyQuality = new Map([...byWeek].map(([week, list]) => [week, qualityByModel(list, minimumComparisons)]));
  const models = [...new Set([...samples.keys(), ...quality.keys()])];
  const rows = models.map((model) => toRow(model, samples.get(model) ?? emptySamples(), quality.get(model) ?? emptyQuality(), weeks, weeklyQuality));
  rows.sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
  return { ...range, minimumComparisons, weeks, rows };
};

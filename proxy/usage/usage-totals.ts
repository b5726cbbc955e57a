import type { UsageRecord } from './usage-record.js';

/** Sums over a set of records. Unknown costs are counted apart, never as zero dollars. */
export interface UsageTotals {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  images: number;
  audioSeconds: number;
  videoSeconds: number;
  characters: number;
  /** Sum of the known costs. */
  costUsd: number;
  /** Requests whose cost is unknown (no price, no upstream figure). */
  unknownCostRequests: number;
  /** What budgets count the requests of unknown cost as (what they reserved); not in `costUsd`. */
  fallbackCostUsd: number;
  /** Requests whose cost rests on estimated counts. */
  estimatedCostRequests: number;
  /** Requests with nothing billable (refused by the gateway, or failed before any output). */
  unbilledRequests: number;
  latencyMsTotal: number;
}

export const emptyTotals = (): UsageTotals => ({
  requests: 0,
  errors: 0,
  promptTokens: 0,
  completionTokens: 0,
  cachedTokens: 0,
  cacheCreationTokens: 0,
  reasoningTokens: 0,
  images: 0,
  audioSeconds: 0,
  videoSeconds: 0,
  characters: 0,
  costUsd: 0,
  unknownCostRequests: 0,
  fallbackCostUsd: 0,
  estimatedCostRequests: 0,
  unbilledRequests: 0,
  latencyMsTotal: 0,
});

export const addRecord = (totals: UsageTotals, record: UsageRecord): void => {
  totals.requests += 1;
  if (record.status >= 400 || record.errorCode) totals.errors += 1;
  totals.promptTokens += record.promptTokens;
  totals.completionTokens += record.completionTokens;
  totals.cachedTokens += record.cachedTokens;
  totals.cacheCreationTokens += record.cacheCreationTokens;
  totals.reasoningTokens += record.reasoningTokens;
  totals.images += record.images;
  totals.audioSeconds += record.audioSeconds;
  totals.videoSeconds += record.videoSeconds;
  totals.characters += record.characters;
  if (record.costUsd === null) {
    totals.unknownCostRequests += 1;
    if (typeof record.fallbackCostUsd === 'number') totals.fallbackCostUsd += record.fallbackCostUsd;
  } else totals.costUsd += record.costUsd;
  if (record.costSource === 'estimate') totals.estimatedCostRequests += 1;
  if (record.costSource === 'none') totals.unbilledRequests += 1;
  totals.latencyMsTotal += record.latencyMs;
};

export const addTotals = (into: UsageTotals, from: UsageTotals): void => {
  // Totals saved before a field existed (a month's snapshot) lack it.
  for (const key of Object.keys(into) as (keyof UsageTotals)[]) into[key] += from[key] ?? 0;
};

/** What `into` holds beyond `part` (a subset of its records). */
export const subtractTotals = (into: UsageTotals, part: UsageTotals): void => {
  for (const key of Object.keys(into) as (keyof UsageTotals)[]) into[key] -= part[key] ?? 0;
};

/** Totals as shown to people: sums rounded so float noise does not show. */
export const presentTotals = (totals: UsageTotals): UsageTotals => ({
  ...totals,
  costUsd: Math.round(totals.costUsd * 1e8) / 1e8,
  fallbackCostUsd: Math.round(totals.fallbackCostUsd * 1e8) / 1e8,
  audioSeconds: Math.round(totals.audioSeconds * 1000) / 1000,
  videoSeconds: Math.round(totals.videoSeconds * 1000) / 1000,
  latencyMsTotal: Math.round(totals.latencyMsTotal),
});

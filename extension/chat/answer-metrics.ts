import type { UsageRecord } from '../../proxy/usage/usage-record.js';
import type { AnswerMetrics } from './protocol.js';

/** Output speed after the first token: completion tokens over the time spent streaming them.
 * Null when it cannot be measured honestly (no tokens, or no time between first token and end). */
export const tokensPerSecond = (completionTokens: number, totalMs: number, timeToFirstTokenMs: number | null): number | null => {
  if (completionTokens <= 0) return null;
  const streamingMs = totalMs - (timeToFirstTokenMs ?? 0);
  if (streamingMs <= 0) return null;
  return Math.round((completionTokens / (streamingMs / 1000)) * 10) / 10;
};

/** An answer's figures, taken from its own ledger record, so the view and the usage panel agree. */
export const metricsFromRecord = (model: string, record: UsageRecord): AnswerMetrics => ({
  model,
  requestId: record.requestId,
  provider: record.provider,
  servedModel: record.model,
  promptTokens: record.promptTokens,
  completionTokens: record.completionTokens,
  costUsd: record.costUsd,
  timeToFirstTokenMs: record.timeToFirstTokenMs,
  totalMs: record.latencyMs,
  tokensPerSecond: tokensPerSecond(record.completionTokens, record.latencyMs, record.timeToFirstTokenMs),
});

/** Formatting shared by the single answers and the compare columns. */
export const formatCost = (costUsd: number | null): string => {
  if (costUsd === null) return 'cost unknown';
  if (costUsd === 0) return '$0';
  return costUsd < 0.01 ? `$${Number(costUsd.toPrecision(2))}` : `$${costUsd.toFixed(4)}`;
};

export const formatMs = (ms: number | null): string => {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
};

/** The one-line summary under an answer. */
export const describeMetrics = (metrics: AnswerMetrics): string => {
  const parts = [
    metrics.model,
    `${metrics.promptTokens} in / ${metrics.completionTokens} out tokens`,
    formatCost(metrics.costUsd),
    `first token ${formatMs(metrics.timeToFirstTokenMs)}`,
    `total ${formatMs(metrics.totalMs)}`,
  ];
  if (metrics.tokensPerSecond !== null) parts.push(`${metrics.tokensPerSecond} tok/s`);
  return parts.join(' · ');
};

/** Which compare column did best on each figure (lowest time and cost, highest speed). */
export const bestOf = (metrics: readonly (AnswerMetrics | undefined)[]): { fastestFirstToken?: number; fastestOutput?: number; cheapest?: number } => {
  const pick = (value: (entry: AnswerMetrics) => number | null, lower: boolean): number | undefined => {
    let best: number | undefined;
    let bestValue: number | undefined;
    metrics.forEach((entry, index) => {
      const current = entry ? value(entry) : null;
      if (current === null) return;
      if (bestValue === undefined || (lower ? current < bestValue : current > bestValue)) {
        best = index;
        bestValue = current;
      }
    });
    return best;
  };
  return {
    fastestFirstToken: pick((entry) => entry.timeToFirstTokenMs, true),
    fastestOutput: pick((entry) => entry.tokensPerSecond, false),
    cheapest: pick((entry) => entry.costUsd, true),
  };
};

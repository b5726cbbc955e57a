import type { ModelPrice } from '../catalog/bundled-table.js';
import type { CostSource, UsageObservation } from './usage-record.js';

const PER_MILLION = 1_000_000;

/** The cost of one request: the upstream's own figure first, else the catalog price, else unknown
 * (null, never a silent zero). Token prices follow OpenAI's meaning of the counts: cached and
 * cache-write tokens are parts of the prompt, reasoning tokens part of the completion. */
export const costOf = (observation: UsageObservation, price: ModelPrice | undefined): { costUsd: number | null; costSource: CostSource } => {
  const usage = observation.usage;
  if (usage?.upstreamCostUsd !== undefined) return { costUsd: usage.upstreamCostUsd, costSource: 'upstream' };
  if (!price) return { costUsd: null, costSource: 'unknown' };
  let cost = 0;
  let priced = false;
  if (usage) {
    const cached = usage.cachedTokens ?? 0;
    const cacheWrite = usage.cacheCreationTokens ?? 0;
    const plainInput = Math.max(0, usage.promptTokens - cached - cacheWrite);
    const reasoning = usage.reasoningTokens ?? 0;
    const plainOutput = Math.max(0, usage.completionTokens - reasoning);
    if (price.input !== undefined) {
      cost += (plainInput * price.input + cached * (price.cachedInput ?? price.input) + cacheWrite * (price.cacheWrite ?? price.input)) / PER_MILLION;
      priced = true;
    }
    if (price.output !== undefined) {
      cost += (plainOutput * price.output + reasoning * (price.reasoning ?? price.output)) / PER_MILLION;
      priced = true;
    }
  }
  if (observation.images && price.perImage !== undefined) {
    cost += observation.images * price.perImage;
    priced = true;
  }
  const seconds = (observation.audioSeconds ?? 0) + (observation.videoSeconds ?? 0);
  if (seconds > 0 && price.perSecond !== undefined) {
    cost += seconds * price.perSecond;
    priced = true;
  }
  if (observation.characters && price.perMillionCharacters !== undefined) {
    cost += (observation.characters * price.perMillionCharacters) / PER_MILLION;
    priced = true;
  }
  return priced ? { costUsd: roundUsd(cost), costSource: 'catalog' } : { costUsd: null, costSource: 'unknown' };
};

const roundUsd = (value: number): number => Math.round(value * 1e10) / 1e10;

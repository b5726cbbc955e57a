import type { ModelPrice } from '../catalog/bundled-table.js';
import type { CostSource, UsageObservation } from './usage-record.js';

const PER_MILLION = 1_000_000;

/** A price and where it came from (the bundled table with its date, or the user's override). */
export interface PricedModel {
  price: ModelPrice;
  source: string;
}

export interface Cost {
  costUsd: number | null;
  costSource: CostSource;
  costSourceDetail: string | null;
}

export interface CostContext {
  /** The token counts are the gateway's estimate (the stream ended before usage was reported). */
  estimated?: boolean;
  /** Nothing reached a model (refused by the gateway, or an upstream error before any output). */
  nothingBillable?: boolean;
}

/** The cost of one request: the upstream's own figure first, else the catalog price, else unknown
 * (null, never a silent zero). */
export const costOf = (observation: UsageObservation, priced: PricedModel | undefined, context: CostContext = {}): Cost => {
  const upstreamCost = observation.usage?.upstreamCostUsd;
  if (upstreamCost !== undefined) return { costUsd: upstreamCost, costSource: 'upstream', costSourceDetail: 'reported by the upstream (usage.cost)' };
  if (context.nothingBillable && !hasUsage(observation)) return { costUsd: 0, costSource: 'none', costSourceDetail: 'no model output: refused or failed before generation' };
  if (!hasUsage(observation)) return { costUsd: null, costSource: 'unknown', costSourceDetail: 'the upstream reported no usage' };
  if (!priced) return { costUsd: null, costSource: 'unknown', costSourceDetail: 'no price known for this model' };
  const cost = priceObservation(observation, priced.price);
  if (cost === undefined) return { costUsd: null, costSource: 'unknown', costSourceDetail: `the price (${priced.source}) does not cover what this request used` };
  return context.estimated
    ? { costUsd: cost, costSource: 'estimate', costSourceDetail: `estimated counts (the stream ended before usage was reported), priced from ${priced.source}` }
    : { costUsd: cost, costSource: 'catalog', costSourceDetail: priced.source };
};

const hasUsage = (observation: UsageObservation): boolean =>
  (observation.usage !== undefined && observation.usage.promptTokens + observation.usage.completionTokens > 0) ||
  Boolean(observation.images || observation.audioSeconds || observation.videoSeconds || observation.characters);

/** Applies a price to what was used. Token prices follow OpenAI's meaning of the counts: cached and
 * cache-write tokens are parts of the prompt, reasoning tokens part of the completion. Undefined
 * when something was used that the price does not cover (rather than counting it as free). */
export const priceObservation = (observation: UsageObservation, price: ModelPrice): number | undefined => {
  let cost = 0;
  const usage = observation.usage;
  if (usage && usage.promptTokens > 0) {
    if (price.input === undefined) return undefined;
    const cached = usage.cachedTokens ?? 0;
    const cacheWrite = usage.cacheCreationTokens ?? 0;
    const plainInput = Math.max(0, usage.promptTokens - cached - cacheWrite);
    cost += (plainInput * price.input + cached * (price.cachedInput ?? price.input) + cacheWrite * (price.cacheWrite ?? price.input)) / PER_MILLION;
  }
  // An image model priced per image (Gemini's image models) bills its output tokens, the image's
  // own, through the per-image price.
  const billedPerImage = Boolean(observation.images) && price.output === undefined && price.perImage !== undefined;
  if (usage && usage.completionTokens > 0 && !billedPerImage) {
    if (price.output === undefined) return undefined;
    const reasoning = usage.reasoningTokens ?? 0;
    const plainOutput = Math.max(0, usage.completionTokens - reasoning);
    cost += (plainOutput * price.output + reasoning * (price.reasoning ?? price.output)) / PER_MILLION;
  }
  // An image model that reports output tokens (gpt-image-1) bills the image through them.
  if (observation.images && !(usage && usage.completionTokens > 0 && price.output !== undefined)) {
    if (price.perImage === undefined) return undefined;
    cost += observation.images * price.perImage;
  }
  const seconds = (observation.audioSeconds ?? 0) + (observation.videoSeconds ?? 0);
  if (seconds > 0) {
    if (price.perSecond === undefined) return undefined;
    cost += seconds * price.perSecond;
  }
  if (observation.characters) {
    if (price.perMillionCharacters === undefined) return undefined;
    cost += (observation.characters * price.perMillionCharacters) / PER_MILLION;
  }
  return roundUsd(cost);
};

export const roundUsd = (value: number): number => Math.round(value * 1e10) / 1e10;

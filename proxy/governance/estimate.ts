import type { PricedModel } from '../usage/cost.js';

/** Output tokens assumed for a request whose model has no history yet. */
const ASSUMED_OUTPUT_TOKENS = 1_000;
/** JSON bodies run at roughly four bytes a token. */
const BYTES_PER_TOKEN = 4;

/** What a request about to run is likely to cost, reserved against budgets while it runs: the
 * larger of the model's average known cost so far this month and a price-based guess from the
 * request's size. Zero when neither is known (then only spending already recorded stops it). */
export const estimateCostUsd = (requestBytes: number, priced: PricedModel | undefined, averageCostUsd: number | undefined): number => {
  let fromPrice = 0;
  const price = priced?.price;
  if (price) {
    const inputTokens = requestBytes / BYTES_PER_TOKEN;
    fromPrice += (inputTokens * (price.input ?? 0) + ASSUMED_OUTPUT_TOKENS * (price.output ?? 0)) / 1_000_000;
    fromPrice += price.perImage ?? 0;
  }
  return Math.max(fromPrice, averageCostUsd ?? 0);
};

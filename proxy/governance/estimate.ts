import type { ModelPrice } from '../catalog/bundled-table.js';
import type { PriceCeiling } from '../catalog/catalog.js';
import type { PricedModel } from '../usage/cost.js';

/** Output tokens assumed for a priced request (its actual length is not known before it runs). */
const ASSUMED_OUTPUT_TOKENS = 1_000;
/** JSON bodies run at roughly four bytes a token. */
const BYTES_PER_TOKEN = 4;
const PER_MILLION = 1_000_000;

/** What a request reserves against the budgets while it runs. */
export interface Estimate {
  usd: number;
  /** For a model without a usable price: how the amount was reached (a refusal says it). */
  unpricedBasis?: string;
}

export interface EstimateInputs {
  requestBytes: number;
  priced: PricedModel | undefined;
  /** The model's average known cost per request this month, when it has one. */
  averageCostUsd: number | undefined;
  /** The configured reservation for a request to a model without a price (`budget.unpricedUsdPerRequest`). */
  unpricedUsdPerRequest: number | undefined;
  /** Asked only for a model without a price when no reservation for those is configured. */
  ceiling: () => PriceCeiling;
  modelMaxOutputTokens: () => number | undefined;
}

/** Whether the estimate can use a price: per-second prices (video, transcription) need a length
 * the request does not state. */
const estimable = (price: ModelPrice): boolean =>
  price.input !== undefined || price.output !== undefined || price.perImage !== undefined || price.perMillionCharacters !== undefined;

const priceGuessUsd = (requestBytes: number, price: ModelPrice): number =>
  (requestBytes / BYTES_PER_TOKEN) * ((price.input ?? 0) / PER_MILLION) +
  ASSUMED_OUTPUT_TOKENS * ((price.output ?? 0) / PER_MILLION) +
  (price.perImage ?? 0) +
  // A request's bytes are at least its characters of speech input.
  requestBytes * ((price.perMillionCharacters ?? 0) / PER_MILLION);

/** What a request about to run is likely to cost, never less than the model's average this month.
 * A priced model: its input at the price plus 1,000 output tokens. A model without a price: the
 * configured reservation, else the worst case (its input and the model's maximum output, or the
 * longest any model gives, at the highest known prices), so a burst of such requests cannot pass
 * a cap before their costs are known. */
export const estimateCost = (inputs: EstimateInputs): Estimate => {
  const average = inputs.averageCostUsd ?? 0;
  const price = inputs.priced?.price;
  if (price && estimable(price)) return { usd: Math.max(priceGuessUsd(inputs.requestBytes, price), average) };
  const floor = inputs.unpricedUsdPerRequest;
  if (floor !== undefined) return { usd: Math.max(floor, average), unpricedBasis: `the reservation set for models without a price ($${floor})` };
  const ceiling = inputs.ceiling();
  const outputTokens = inputs.modelMaxOutputTokens() ?? ceiling.maxOutputTokens;
  const worstCase = ((inputs.requestBytes / BYTES_PER_TOKEN) * ceiling.inputUsdPerMillion + outputTokens * ceiling.outputUsdPerMillion) / PER_MILLION;
  return {
    usd: Math.max(worstCase, average),
    unpricedBasis: `its input and ${outputTokens} output tokens at the highest known prices ($${ceiling.inputUsdPerMillion} and $${ceiling.outputUsdPerMillion} per 1M tokens)`,
  };
};

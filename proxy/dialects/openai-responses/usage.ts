import type { TokenUsage } from '../../adapters/types.js';
import type { ResponsesUsage } from './wire-types.js';

/** Neutral usage in the Responses API's terms. The neutral counts already have OpenAI's meaning
 * (input counts cached tokens, output counts reasoning tokens), which is Responses' meaning too. */
export const usageToResponses = (usage: TokenUsage): ResponsesUsage => ({
  input_tokens: usage.promptTokens,
  input_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
  output_tokens: usage.completionTokens,
  output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  total_tokens: usage.promptTokens + usage.completionTokens,
});

/** A token count as the ledger can sum it: a broken upstream's string, NaN or negative is 0. */
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

/** The Responses API's usage as neutral usage: already OpenAI's meanings (input counts cached
 * tokens, output counts reasoning tokens); a host's own `cost` kept as the upstream's figure. */
export const usageFromResponses = (usage: (Partial<ResponsesUsage> & { cost?: unknown }) | null | undefined): TokenUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const result: TokenUsage = { promptTokens: count(usage.input_tokens), completionTokens: count(usage.output_tokens) };
  const cached = count(usage.input_tokens_details?.cached_tokens);
  if (cached) result.cachedTokens = cached;
  const reasoning = count(usage.output_tokens_details?.reasoning_tokens);
  if (reasoning) result.reasoningTokens = reasoning;
  if (typeof usage.cost === 'number' && Number.isFinite(usage.cost) && usage.cost >= 0) result.upstreamCostUsd = usage.cost;
  return result;
};

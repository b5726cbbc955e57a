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

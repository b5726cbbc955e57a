import type { TokenUsage } from '../../adapters/types.js';
import { usageFromOpenAI } from '../openai-chat/usage.js';
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

/** The Responses API's usage as neutral usage: the same meanings as chat's under other names, so
 * chat's one mapping reads it (a host's `cost` included). */
export const usageFromResponses = (usage: Partial<ResponsesUsage> & { cost?: number } | null | undefined): TokenUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  return usageFromOpenAI({
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    prompt_tokens_details: { cached_tokens: usage.input_tokens_details?.cached_tokens },
    completion_tokens_details: { reasoning_tokens: usage.output_tokens_details?.reasoning_tokens },
    cost: usage.cost,
  });
};

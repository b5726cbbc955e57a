import type { TokenUsage } from '../adapters/types.js';

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** OpenRouter and ModAPI report what the request cost. */
  cost?: number;
  /** DeepSeek reports cache hits this way. */
  prompt_cache_hit_tokens?: number;
}

/** OpenAI-dialect usage (including the variants of compatible hosts) as neutral token usage. */
export const usageFromOpenAI = (usage: OpenAIUsage | null | undefined): TokenUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const result: TokenUsage = { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  if (cached) result.cachedTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (reasoning) result.reasoningTokens = reasoning;
  if (typeof usage.cost === 'number') result.upstreamCostUsd = usage.cost;
  return result;
};

/** Neutral usage back in OpenAI's shape, for translated answers. */
export const usageToOpenAI = (usage: TokenUsage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
});

import type { TokenUsage } from '../../adapters/types.js';

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  total_tokens?: number;
  /** OpenRouter and ModAPI report what the request cost. */
  cost?: number;
  /** DeepSeek reports cache hits this way. */
  prompt_cache_hit_tokens?: number;
}

/** OpenAI-dialect usage (including the variants of compatible hosts) as neutral token usage. */
export const usageFromOpenAI = (usage: OpenAIUsage | null | undefined): TokenUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const result: TokenUsage = { promptTokens: count(usage.prompt_tokens), completionTokens: count(usage.completion_tokens) };
  const cached = count(usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens);
  if (cached) result.cachedTokens = cached;
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  if (reasoning) result.reasoningTokens = reasoning;
  // Some hosts (xAI) count reasoning apart from completion_tokens; their total says so.
  if (reasoning && count(usage.total_tokens) === result.promptTokens + result.completionTokens + reasoning) result.completionTokens += reasoning;
  if (typeof usage.cost === 'number' && Number.isFinite(usage.cost) && usage.cost >= 0) result.upstreamCostUsd = usage.cost;
  return result;
};

/** A token count as the ledger can sum it: a broken upstream's string, NaN or negative is 0. */
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

/** Neutral usage back in OpenAI's shape, for translated answers. */
export const usageToOpenAI = (usage: TokenUsage) => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
});

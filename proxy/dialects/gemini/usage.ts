import type { TokenUsage } from '../../adapters/types.js';
import type { GeminiUsageMetadata } from './wire-types.js';

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Whether a usageMetadata object carries any count at all (Vertex streams send
 * `{trafficType}` alone on intermediate chunks). */
export const hasTokenCounts = (usage: GeminiUsageMetadata | undefined): usage is GeminiUsageMetadata =>
  !!usage && ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'totalTokenCount'].some((key) => typeof usage[key as keyof GeminiUsageMetadata] === 'number');

/** Gemini's usageMetadata with OpenAI's meaning: promptTokenCount already includes the cached
 * part; output is the candidates plus the thoughts. Tool-use prompt tokens (grounding results)
 * are input the model read, so they count as prompt tokens too. */
export const usageFromGemini = (usage: GeminiUsageMetadata): TokenUsage => {
  const thoughts = count(usage.thoughtsTokenCount);
  const result: TokenUsage = {
    promptTokens: count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount),
    completionTokens: count(usage.candidatesTokenCount) + thoughts,
  };
  const cached = count(usage.cachedContentTokenCount);
  if (cached) result.cachedTokens = cached;
  if (thoughts) result.reasoningTokens = thoughts;
  return result;
};

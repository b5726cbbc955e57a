import type { FinishReason, TokenUsage } from '../../adapters/types.js';
import type { AnthropicUsage } from './wire-types.js';

/** Anthropic's usage in OpenAI's meaning: every input token counts as a prompt token, the ones read
 * from or written to the cache included (Anthropic reports those three apart); output_tokens
 * already include thinking, which is also the reasoning part when Anthropic says how much. */
export const usageFromAnthropic = (usage: AnthropicUsage): TokenUsage => {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheCreation = usage.cache_creation_input_tokens ?? 0;
  const result: TokenUsage = {
    promptTokens: (usage.input_tokens ?? 0) + cacheRead + cacheCreation,
    completionTokens: usage.output_tokens ?? 0,
  };
  if (cacheRead > 0) result.cachedTokens = cacheRead;
  if (cacheCreation > 0) result.cacheCreationTokens = cacheCreation;
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number' && thinking > 0) result.reasoningTokens = thinking;
  return result;
};

/** `message_delta` usage is cumulative for the whole message: each counter it carries replaces the
 * one from `message_start`; counters it leaves out (older API versions send only output_tokens) keep
 * their earlier value. */
export const mergeAnthropicUsage = (earlier: AnthropicUsage | undefined, later: AnthropicUsage | undefined): AnthropicUsage => {
  const merged: AnthropicUsage = { ...(earlier ?? {}) };
  for (const key of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const) {
    const value = later?.[key];
    if (typeof value === 'number') merged[key] = value;
  }
  if (later?.output_tokens_details) merged.output_tokens_details = later.output_tokens_details;
  return merged;
};

const FINISH_BY_STOP_REASON: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic's `stop_reason` as OpenAI's `finish_reason`; an unknown or missing one reads as `stop`. */
export const finishReasonFromAnthropic = (stopReason: string | null | undefined): FinishReason =>
  (stopReason && FINISH_BY_STOP_REASON[stopReason]) || 'stop';

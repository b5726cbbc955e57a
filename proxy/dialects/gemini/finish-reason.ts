import type { FinishReason } from '../../adapters/types.js';

/** Gemini's reasons for stopping that OpenAI calls a content filter. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/** A candidate's finishReason in OpenAI's words. A candidate that called functions finishes with
 * `tool_calls` whatever Gemini said (it says STOP). No reason at all (a stream cut short of its
 * last chunk) reads as a plain stop. */
export const finishReasonFromGemini = (reason: string | undefined, calledFunctions: boolean): FinishReason => {
  if (calledFunctions) return 'tool_calls';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  return 'stop';
};

/** A prompt Gemini refused to answer (promptFeedback.blockReason, no candidates). */
export const isPromptBlocked = (blockReason: string | undefined): boolean => !!blockReason && blockReason !== 'BLOCK_REASON_UNSPECIFIED';

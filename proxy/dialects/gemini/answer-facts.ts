import type { AnswerFacts } from '../../adapters/types.js';
import { finishReasonFromGemini } from './finish-reason.js';
import type { GeminiResponse } from './wire-types.js';

/** Whether a chunk calls a function (then the answer finishes with `tool_calls`, whatever Gemini says). */
export const callsFunction = (chunk: GeminiResponse | undefined): boolean =>
  chunk?.candidates?.some((candidate) => candidate.content?.parts?.some((part) => part.functionCall)) ?? false;

/** An answer's finish reasons in OpenAI's words (from its last chunk that gives any) and its model
 * version, for telemetry. */
export const answerFactsFromGemini = (chunks: readonly (GeminiResponse | undefined)[], calledFunctions = chunks.some(callsFunction)): AnswerFacts => {
  const latestFirst = [...chunks].reverse();
  const finished = latestFirst.find((chunk) => chunk?.candidates?.some((candidate) => candidate.finishReason));
  return {
    finishReasons: (finished?.candidates ?? []).flatMap((candidate) => (candidate.finishReason ? [finishReasonFromGemini(candidate.finishReason, calledFunctions)] : [])),
    model: latestFirst.find((chunk) => chunk?.modelVersion)?.modelVersion,
  };
};

import type { AnswerFacts } from '../../adapters/types.js';
import { finishReasonFromGemini } from './finish-reason.js';
import type { GeminiResponse } from './wire-types.js';

/** A response's (or a chunk's) candidates' finish reasons in OpenAI's words, and its model
 * version, for telemetry. A relayed stream is read at its usage chunk only, so a function call
 * made in an earlier chunk is not seen there: its reason reads as Gemini's own word mapped. */
export const answerFactsFromGemini = (answer: GeminiResponse | undefined): AnswerFacts => ({
  finishReasons: (answer?.candidates ?? []).flatMap((candidate) =>
    candidate.finishReason ? [finishReasonFromGemini(candidate.finishReason, candidate.content?.parts?.some((part) => part.functionCall) ?? false)] : [],
  ),
  model: answer?.modelVersion || undefined,
});

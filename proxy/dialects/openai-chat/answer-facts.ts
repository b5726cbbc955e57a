import type { AnswerFacts } from '../../adapters/types.js';
import { toFinishReason } from './decode-response.js';

interface ChoicesAndModel {
  model?: unknown;
  choices?: { finish_reason?: unknown }[];
}

/** From a whole completion or one stream chunk (both carry `choices[].finish_reason` and `model`). */
export const answerFactsFromOpenAI = (answer: unknown): AnswerFacts => {
  const { model, choices } = (answer ?? {}) as ChoicesAndModel;
  const finishReasons = Array.isArray(choices) ? choices.flatMap((choice) => (typeof choice?.finish_reason === 'string' ? [toFinishReason(choice.finish_reason)] : [])) : [];
  return { finishReasons, model: typeof model === 'string' && model ? model : undefined };
};

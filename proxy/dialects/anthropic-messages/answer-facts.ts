import type { AnswerFacts } from '../../adapters/types.js';
import { finishReasonFromAnthropic } from './usage.js';

/** A message's stop reason (in OpenAI's words, as every lane reports it) and model, for telemetry. */
export const answerFactsFromAnthropic = (message: unknown): AnswerFacts => {
  const { model, stop_reason: stopReason } = (message ?? {}) as { model?: unknown; stop_reason?: unknown };
  return {
    finishReasons: typeof stopReason === 'string' ? [finishReasonFromAnthropic(stopReason)] : [],
    model: typeof model === 'string' && model ? model : undefined,
  };
};

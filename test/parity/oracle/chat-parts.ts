import type { DecodedAnswer, ErrorView, ReportedUsage } from '../neutral-view.js';
import { ChoicesBuilder } from './choices.js';
import { count } from './http-answer.js';

/** A part as the in-process chat entry yields it, read loosely: only the fields the neutral view
 * needs, so a change elsewhere in the part types does not break the oracle. */
export interface LoosePart {
  type: string;
  [field: string]: any;
}

/** The oracle for the in-process chat path: its neutral parts folded into an answer. */
export const decodeChatParts = (parts: readonly LoosePart[]): DecodedAnswer => {
  const builder = new ChoicesBuilder();
  let usage: ReportedUsage | undefined;
  let error: ErrorView | null = null;
  for (const part of parts) {
    const choice = typeof part.choice === 'number' ? part.choice : 0;
    if (part.type === 'text-delta') builder.choice(choice).text += part.text ?? '';
    else if (part.type === 'reasoning-delta') builder.choice(choice).reasoning += part.text ?? '';
    else if (part.type === 'refusal-delta') builder.choice(choice).refusal += part.text ?? '';
    else if (part.type === 'tool-call-delta') builder.call(choice, part.index, part.name).argumentsText += part.argumentsDelta ?? '';
    else if (part.type === 'finish') builder.choice(choice).finishReason = part.reason ?? null;
    else if (part.type === 'usage') {
      const reported = part.usage ?? {};
      usage = {
        promptTokens: count(reported.promptTokens),
        completionTokens: count(reported.completionTokens),
        cachedTokens: count(reported.cachedTokens),
        cacheCreationTokens: count(reported.cacheCreationTokens),
        reasoningTokens: count(reported.reasoningTokens),
      };
    } else if (part.type === 'error') error ??= { status: Number(part.error?.status) || 500 };
  }
  return { choices: builder.build(), usage, error, violations: [] };
};

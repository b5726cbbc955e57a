import type { ChatPart } from '../adapters/types.js';
import type { RequestTracker } from '../usage/request-tracker.js';

/** Whether a part is output a person sees (the first one is the time to first token). */
export const isOutput = (part: ChatPart): boolean => part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta' || part.type === 'refusal-delta';

/** What the ledger (usage, first token) and telemetry (finish reasons, answering model) learn
 * from one part. */
export const observePart = (part: ChatPart, tracker: RequestTracker): void => {
  if (part.type === 'usage') tracker.usage(part.usage, part.provisional === true);
  else if (isOutput(part)) tracker.firstToken();
  else if (part.type === 'finish') tracker.finishReason(part.reason);
  else if (part.type === 'response-metadata' && part.model) tracker.answeredBy(part.model);
};

/** Observes parts on their way to a reader. */
export async function* observeParts(parts: AsyncIterable<ChatPart>, tracker: RequestTracker): AsyncGenerator<ChatPart> {
  for await (const part of parts) {
    observePart(part, tracker);
    yield part;
  }
}

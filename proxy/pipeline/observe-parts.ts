import type { ChatPart } from '../adapters/types.js';
import type { RequestTracker } from '../usage/request-tracker.js';

/** Whether a part is output a person sees (the first one is the time to first token). */
export const isOutput = (part: ChatPart): boolean => part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta' || part.type === 'refusal-delta';

/** Observes parts on their way to a reader: usage and the first token, for the ledger. */
export async function* observeParts(parts: AsyncIterable<ChatPart>, tracker: RequestTracker): AsyncGenerator<ChatPart> {
  for await (const part of parts) {
    if (part.type === 'usage') tracker.usage(part.usage);
    else if (isOutput(part)) tracker.firstToken();
    yield part;
  }
}

import { OpenAIChunkDecoder } from '../../proxy/dialects/openai-chat/decode-response.js';
import type { ChatPart } from '../../proxy/adapters/types.js';
import { collectParts, type CollectedCompletion } from '../../proxy/dialects/openai-chat/encode-response.js';
import { fixtureEvents } from '../support/fixtures.js';

/** A recorded OpenAI-dialect stream as the neutral parts the OpenAI adapter makes of it. */
export const recordedParts = (path: string): ChatPart[] => {
  const decoder = new OpenAIChunkDecoder();
  const parts: ChatPart[] = [];
  for (const event of fixtureEvents(path)) {
    const data = event.replace(/^data: /, '').trim();
    if (data === '[DONE]') continue;
    parts.push(...decoder.decode(JSON.parse(data)));
  }
  return parts;
};

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/** What the recording holds, folded by the gateway's OpenAI-side collector (not by the Anthropic
 * code under test): the expected text, tool calls, finish reason and usage. */
export const recordedAnswer = (path: string): Promise<CollectedCompletion> => collectParts(iterate(recordedParts(path)));

export const asAsync = iterate;

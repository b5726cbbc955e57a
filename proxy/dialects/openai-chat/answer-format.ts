import type { AnswerFormat } from '../../pipeline/answer-format.js';
import { collectParts, toChatCompletion } from './encode-response.js';
import { OpenAIChunkEncoder } from './encode-stream.js';

export interface OpenAIAnswerOptions {
  /** The gateway's request id (`req_...`), whose tail names the completion. */
  requestId: string;
  model: string;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** OpenAI's chat completion: `chat.completion` JSON, or `chat.completion.chunk` events and [DONE]. */
export const openAIAnswerFormat = (options: OpenAIAnswerOptions): AnswerFormat => {
  const encoder = new OpenAIChunkEncoder({ id: `chatcmpl-${options.requestId.slice(4)}`, model: options.model, created: Math.floor(Date.now() / 1000), includeUsage: options.includeUsage });
  return {
    whole: async (parts) => JSON.stringify(toChatCompletion(await collectParts(parts), options.model)),
    opening: () => '',
    encode: (part) => {
      let text = '';
      for (const chunk of encoder.encode(part)) text += `data: ${JSON.stringify(chunk)}\n\n`;
      return text;
    },
    closing: () => 'data: [DONE]\n\n',
  };
};

import type { Response } from 'express';
import type { ChatPart } from '../adapters/types.js';
import { openAIAnswerFormat } from '../dialects/openai-chat/answer-format.js';
import { answerOverHttp } from '../pipeline/http-sink.js';
import type { RequestTracker } from '../usage/request-tracker.js';

export interface TranslatedArguments {
  parts: AsyncIterable<ChatPart>;
  stream: boolean;
  includeUsage: boolean;
  clientModel: string;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
}

/** Any adapter's parts as an OpenAI answer: one `chat.completion`, or OpenAI SSE. */
export const respondTranslated = (options: TranslatedArguments): Promise<void> =>
  answerOverHttp({
    parts: options.parts,
    stream: options.stream,
    format: openAIAnswerFormat({ requestId: options.tracker.requestId, model: options.clientModel, includeUsage: options.includeUsage }),
    response: options.response,
    tracker: options.tracker,
    servedHeaders: options.servedHeaders,
  });

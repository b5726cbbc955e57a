import type { Response } from 'express';
import type { ChatPart } from '../../adapters/types.js';
import { anthropicAnswerFormat } from '../../dialects/anthropic-messages/answer-format.js';
import { answerOverHttp } from '../../pipeline/http-sink.js';
import type { RequestTracker } from '../../usage/request-tracker.js';

export interface TranslatedMessageArguments {
  parts: AsyncIterable<ChatPart>;
  stream: boolean;
  clientModel: string;
  /** The request's input tokens as estimated, for message_start (the exact count comes at the end). */
  estimatedInputTokens?: number;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
  /** How often a ping goes out while the upstream is silent (a reasoning model thinking). */
  pingIntervalMs?: number;
}

/** Any adapter's parts as an Anthropic answer: one message, or Anthropic SSE. */
export const respondAnthropic = (options: TranslatedMessageArguments): Promise<void> =>
  answerOverHttp({
    parts: options.parts,
    stream: options.stream,
    format: anthropicAnswerFormat({ model: options.clientModel, estimatedInputTokens: options.estimatedInputTokens, pingIntervalMs: options.pingIntervalMs }),
    response: options.response,
    tracker: options.tracker,
    servedHeaders: options.servedHeaders,
  });

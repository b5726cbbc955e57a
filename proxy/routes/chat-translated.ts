import type { Response } from 'express';
import type { ChatPart } from '../adapters/types.js';
import { collectParts, toChatCompletion } from '../dialects/openai-chat/encode-response.js';
import { OpenAIChunkEncoder } from '../dialects/openai-chat/encode-stream.js';
import { GatewayError } from '../errors.js';
import type { Redactor } from '../logger.js';
import { sseErrorEvent, startEventStream } from '../sse/sse-response.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { isAbort } from '../upstream/http-client.js';

export interface TranslatedArguments {
  parts: AsyncIterable<ChatPart>;
  stream: boolean;
  includeUsage: boolean;
  clientModel: string;
  response: Response;
  tracker: RequestTracker;
  signal: AbortSignal;
  servedHeaders: Record<string, string>;
  /** Masks secrets a native upstream may echo into a mid-stream error. */
  redactor?: Redactor;
}

/** Observes parts on their way to a reader: usage and the first token for the ledger. */
export async function* observeParts(parts: AsyncIterable<ChatPart>, tracker: RequestTracker): AsyncGenerator<ChatPart> {
  for await (const part of parts) {
    if (part.type === 'usage') tracker.usage(part.usage);
    else if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta') tracker.firstToken();
    yield part;
  }
}

/** A native adapter's parts as an OpenAI answer: one `chat.completion`, or OpenAI SSE. */
export const respondTranslated = async (options: TranslatedArguments): Promise<void> => {
  const parts = observeParts(options.parts, options.tracker);
  if (!options.stream) {
    const completion = toChatCompletion(await collectParts(parts), options.clientModel);
    options.response.writeHead(200, { 'content-type': 'application/json', ...options.servedHeaders });
    options.response.end(JSON.stringify(completion));
    return;
  }
  const iterator = parts[Symbol.asyncIterator]();
  // The first part is awaited before any header goes out, so an upstream refusal keeps its status.
  let next = await iterator.next();
  if (!next.done && next.value.type === 'error') throw next.value.error;
  const encoder = new OpenAIChunkEncoder({
    id: `chatcmpl-${options.tracker.requestId.slice(4)}`,
    model: options.clientModel,
    created: Math.floor(Date.now() / 1000),
    includeUsage: options.includeUsage,
  });
  startEventStream(options.response, options.servedHeaders);
  try {
    while (!next.done) {
      const part = next.value;
      if (part.type === 'error') {
        options.tracker.failed(part.error);
        options.response.write(sseErrorEvent(part.error, options.redactor));
        return;
      }
      let text = '';
      for (const chunk of encoder.encode(part)) text += `data: ${JSON.stringify(chunk)}\n\n`;
      if (text) options.response.write(text);
      next = await iterator.next();
    }
    options.response.write('data: [DONE]\n\n');
  } catch (error) {
    if (options.signal.aborted || isAbort(error)) return;
    const failure = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream broke off the stream.', { type: 'upstream_error', code: 'upstream_stream_broken', cause: error });
    options.tracker.failed(failure);
    options.response.write(sseErrorEvent(failure, options.redactor));
  } finally {
    if (!options.response.writableEnded) options.response.end();
  }
};

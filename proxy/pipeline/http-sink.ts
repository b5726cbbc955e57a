import type { Response } from 'express';
import type { ChatPart } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import { startEventStream } from '../sse/sse-response.js';
import { isAbort } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import type { AnswerFormat } from './answer-format.js';
import { observePart, observeParts } from './observe-parts.js';
import { writeWithBackpressure } from './write-with-backpressure.js';

export interface HttpAnswer {
  parts: AsyncIterable<ChatPart>;
  stream: boolean;
  format: AnswerFormat;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
}

/** Neutral parts to an HTTP client in its dialect: one JSON body, or SSE with backpressure. An error
 * is thrown, never written here: before the first byte it keeps its status (and a fallback may take
 * over), after it the route's error exit writes it as the dialect's last event. */
export const answerOverHttp = async ({ parts, stream, format, response, tracker, servedHeaders }: HttpAnswer): Promise<void> => {
  if (!stream) {
    const text = await format.whole(observeParts(parts, tracker));
    response.writeHead(200, Object.assign({ 'content-type': 'application/json' }, servedHeaders));
    response.end(text);
    return;
  }
  // Each part is observed in the loop below, not through observeParts: a generator between the
  // parts and the client is one more hop for every chunk of a stream.
  const iterator = parts[Symbol.asyncIterator]();
  let next: IteratorResult<ChatPart> | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  try {
    next = await iterator.next();
    // The first part is awaited before any header goes out, so an upstream refusal keeps its status.
    if (!next.done && next.value.type === 'error') throw next.value.error;
    startEventStream(response, format.streamContentType ? { ...servedHeaders, 'content-type': format.streamContentType } : servedHeaders);
    // The error exit ends a broken stream with the format's own last events (server/error-exit.ts).
    if (format.failure) response.locals.streamFailure = format.failure;
    const opening = format.opening();
    if (opening) response.write(opening);
    if (format.keepAlive) {
      // Each write is whole events, so a keep-alive from the timer always falls between two.
      const { text, everyMs } = format.keepAlive;
      keepAlive = setInterval(() => response.write(text), everyMs);
      keepAlive.unref();
    }
    while (!next.done) {
      const part = next.value;
      observePart(part, tracker);
      if (part.type === 'error') throw part.error;
      const text = format.encode(part);
      const wait = text ? writeWithBackpressure(response, text) : undefined;
      if (wait) await wait;
      if (tracker.clientGone) return;
      next = await iterator.next();
    }
    response.end(format.closing());
  } catch (error) {
    if (tracker.clientGone || isAbort(error)) return;
    throw error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(undefined, error);
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    if (next && !next.done) void iterator.return?.(undefined);
  }
};

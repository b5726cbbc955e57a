import type { Response } from 'express';
import type { ChatPart } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import { startEventStream } from '../sse/sse-response.js';
import { isAbort } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import type { AnswerFormat } from './answer-format.js';
import { observePart, observeParts } from './observe-parts.js';
import { writeWithBackpressure } from './write-with-backpressure.js';

/** Parts that say nothing of the answer itself (its id and model, a warning, the usage so far: an
 * Anthropic stream's message_start gives all three): an error after them is still one before the
 * first byte. */
const SILENT_PARTS = new Set<ChatPart['type']>(['response-metadata', 'warning', 'usage']);
/** How long the headers wait behind silent parts for the first that says something: an upstream
 * error after its opening event (Anthropic's message_start, then overloaded_error) keeps its
 * status and its fallback; a model that thinks silently for longer still gets its headers. */
const HOLD_HEADERS_MS = 1_500;

type Next = IteratorResult<ChatPart>;

/** The iterator's next result, or undefined when `deadline` passes first (`pending` is then the
 * call still under way, to be awaited later). */
const nextBefore = async (pending: Promise<Next>, deadline: number): Promise<Next | undefined> => {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      pending,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), remaining);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
};

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
    // The first parts are awaited before any header goes out, so an upstream refusal keeps its
    // status: the first part, and behind silent ones whatever comes within HOLD_HEADERS_MS.
    next = await iterator.next();
    const held: ChatPart[] = [];
    let pending: Promise<Next> | undefined;
    const deadline = Date.now() + HOLD_HEADERS_MS;
    while (!next.done && SILENT_PARTS.has(next.value.type)) {
      held.push(next.value);
      pending = iterator.next();
      const arrived = await nextBefore(pending, deadline);
      if (!arrived) break;
      next = arrived;
      pending = undefined;
    }
    if (!pending && !next.done && next.value.type === 'error') {
      // What the held parts said (the usage so far) still goes to the ledger.
      for (const part of held) observePart(part, tracker);
      throw next.value.error;
    }
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
    const send = async (part: ChatPart): Promise<void> => {
      observePart(part, tracker);
      if (part.type === 'error') throw part.error;
      const text = format.encode(part);
      const wait = text ? writeWithBackpressure(response, text) : undefined;
      if (wait) await wait;
    };
    for (const part of held) await send(part);
    if (pending) next = await pending;
    while (!next.done) {
      await send(next.value);
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

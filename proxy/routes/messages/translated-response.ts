import type { Response } from 'express';
import type { ChatPart } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import { startEventStream } from '../../sse/sse-response.js';
import { isAbort } from '../../upstream/http-client.js';
import type { RequestTracker } from '../../usage/request-tracker.js';
import { observeParts } from '../chat-translated.js';
import { AnthropicEventEncoder } from '../../dialects/anthropic-messages/encode-stream.js';
import type { AnthropicResponseMessage, AnthropicStreamEvent } from '../../dialects/anthropic-messages/client-wire-types.js';
import { anthropicErrorEvent } from '../../dialects/anthropic-messages/errors.js';
import { MessageBuilder } from '../../dialects/anthropic-messages/build-message.js';

export interface TranslatedMessageArguments {
  parts: AsyncIterable<ChatPart>;
  stream: boolean;
  clientModel: string;
  response: Response;
  tracker: RequestTracker;
  signal: AbortSignal;
  servedHeaders: Record<string, string>;
  /** Masks secrets an upstream may echo into a mid-stream error. */
  redact?: (text: string) => string;
  /** How often a ping goes out while the upstream is silent (a reasoning model thinking). */
  pingIntervalMs?: number;
}

/** Anthropic's API pings during long silences; clients and proxies take a silent stream for a dead one. */
const PING_INTERVAL_MS = 15_000;
const PING = 'event: ping\ndata: {"type":"ping"}\n\n';

/** Anthropic's SSE framing: an `event:` line naming the type, then the JSON. */
export const formatEvents = (events: AnthropicStreamEvent[]): string => events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');

/** The parts folded into one Anthropic message; an error part throws. */
export const collectMessage = async (parts: AsyncIterable<ChatPart>, clientModel: string): Promise<AnthropicResponseMessage> => {
  const encoder = new AnthropicEventEncoder({ model: clientModel });
  const builder = new MessageBuilder();
  for await (const part of parts) {
    if (part.type === 'error') throw part.error;
    for (const event of encoder.encode(part)) builder.add(event);
  }
  for (const event of encoder.finish()) builder.add(event);
  return builder.result();
};

/** Any adapter's parts as an Anthropic answer: one message, or Anthropic SSE. */
export const respondAnthropic = async (options: TranslatedMessageArguments): Promise<void> => {
  const parts = observeParts(options.parts, options.tracker);
  if (!options.stream) {
    const message = await collectMessage(parts, options.clientModel);
    options.response.writeHead(200, { 'content-type': 'application/json', ...options.servedHeaders });
    options.response.end(JSON.stringify(message));
    return;
  }
  const iterator = parts[Symbol.asyncIterator]();
  // The first part is awaited before any header goes out, so an upstream refusal keeps its status.
  let next = await iterator.next();
  if (!next.done && next.value.type === 'error') throw next.value.error;
  const encoder = new AnthropicEventEncoder({ model: options.clientModel });
  startEventStream(options.response, options.servedHeaders);
  options.response.write(formatEvents(encoder.start()));
  // Each write is whole events, so a ping from the timer always falls between two events.
  const keepAlive = setInterval(() => options.response.write(PING), options.pingIntervalMs ?? PING_INTERVAL_MS);
  keepAlive.unref();
  try {
    while (!next.done) {
      if (next.value.type === 'error') {
        options.tracker.failed(next.value.error);
        options.response.write(anthropicErrorEvent(next.value.error, { requestId: options.tracker.requestId, redact: options.redact }));
        return;
      }
      const text = formatEvents(encoder.encode(next.value));
      if (text) options.response.write(text);
      next = await iterator.next();
    }
    options.response.write(formatEvents(encoder.finish()));
  } catch (error) {
    if (options.signal.aborted || isAbort(error)) return;
    const failure = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream broke off the stream.', { type: 'upstream_error', code: 'upstream_stream_broken', cause: error });
    options.tracker.failed(failure);
    options.response.write(anthropicErrorEvent(failure, { requestId: options.tracker.requestId, redact: options.redact }));
  } finally {
    clearInterval(keepAlive);
    if (!options.response.writableEnded) options.response.end();
  }
};

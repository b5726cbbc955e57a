import type { ChatPart } from '../../adapters/types.js';
import type { AnswerFormat } from '../../pipeline/answer-format.js';
import { MessageBuilder } from './build-message.js';
import { AnthropicEventEncoder, type AnthropicEncoderOptions } from './encode-stream.js';
import type { AnthropicResponseMessage, AnthropicStreamEvent } from './wire-types.js';

/** Anthropic's API pings during long silences; clients and proxies take a silent stream for a dead one. */
const PING_INTERVAL_MS = 15_000;
const PING = 'event: ping\ndata: {"type":"ping"}\n\n';

/** Anthropic's SSE framing: an `event:` line naming the type, then the JSON. */
export const formatEvents = (events: AnthropicStreamEvent[]): string => {
  let text = '';
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
};

/** The parts folded into one Anthropic message; an error part throws. */
export const collectMessage = async (parts: AsyncIterable<ChatPart>, options: AnthropicEncoderOptions): Promise<AnthropicResponseMessage> => {
  const encoder = new AnthropicEventEncoder(options);
  const builder = new MessageBuilder();
  for await (const part of parts) {
    if (part.type === 'error') throw part.error;
    for (const event of encoder.encode(part)) builder.add(event);
  }
  for (const event of encoder.finish()) builder.add(event);
  return builder.result();
};

/** Anthropic's Messages answer: one message, or its SSE events with pings while the upstream is silent. */
export const anthropicAnswerFormat = (options: AnthropicEncoderOptions & { pingIntervalMs?: number }): AnswerFormat => {
  const encoder = new AnthropicEventEncoder(options);
  return {
    whole: async (parts) => JSON.stringify(await collectMessage(parts, options)),
    opening: () => formatEvents(encoder.start()),
    encode: (part) => formatEvents(encoder.encode(part)),
    closing: () => formatEvents(encoder.finish()),
    keepAlive: { text: PING, everyMs: options.pingIntervalMs ?? PING_INTERVAL_MS },
  };
};

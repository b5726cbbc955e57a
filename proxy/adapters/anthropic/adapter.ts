import { GatewayError } from '../../errors.js';
import { readChunkEvents } from '../../sse/read-chunk-events.js';
import { isAbort, type UpstreamResponse } from '../../upstream/http-client.js';
import type { AdapterContext, CatalogModel, ChatPart, ChatRequest, ProviderAdapter } from '../types.js';
import { messagesPath } from '../../dialects/anthropic-messages/api.js';
import { convertRequest } from '../../dialects/anthropic-messages/encode-request.js';
import { decodeMessage } from '../../dialects/anthropic-messages/decode-response.js';
import { AnthropicStreamDecoder } from '../../dialects/anthropic-messages/decode-stream.js';
import { listAnthropicModels } from './list-models.js';
import { openToAnthropic } from './send.js';
import { rememberThinking } from '../../dialects/anthropic-messages/thinking-memory.js';
import type { AnthropicResponseMessage } from '../../dialects/anthropic-messages/wire-types.js';

const warningParts = (warnings: string[]): ChatPart[] => warnings.map((message) => ({ type: 'warning', message }));

/** A whole message from an UpstreamChunks body, whose read failures are worded already. */
const readMessage = async (response: { body: { text(): Promise<string> } }, providerId: string): Promise<AnthropicResponseMessage> => {
  const text = await response.body.text();
  let message: AnthropicResponseMessage;
  try {
    message = JSON.parse(text) as AnthropicResponseMessage;
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
  if (!message || !Array.isArray(message.content)) {
    throw GatewayError.badUpstreamBody(providerId, 'an answer without content');
  }
  return message;
};

const decodeWholeMessage = (message: AnthropicResponseMessage, warnings: string[]): ChatPart[] => {
  rememberThinking(message.content);
  return decodeMessage(message, warningParts(warnings));
};

/** Some Anthropic-compatible hosts answer a stream request with one JSON message. */
const isJsonResponse = (response: Pick<UpstreamResponse, 'headers'>): boolean => String(response.headers['content-type'] ?? '').includes('application/json');

async function* streamChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertRequest(request, context.upstreamModel, true);
  // The request goes out before any part is yielded, so a refusal keeps its HTTP status.
  const response = await openToAnthropic(context.provider, { path: messagesPath(), body: JSON.stringify(converted.body), accept: 'text/event-stream', client: context.client });
  if (isJsonResponse(response)) {
    yield* decodeWholeMessage(await readMessage(response, context.provider.id), converted.warnings);
    return;
  }
  const decoder = new AnthropicStreamDecoder(context.provider.id, warningParts(converted.warnings));
  try {
    // Leaving the loop once the message is over reads the rest through or cuts it (readChunkEvents).
    for await (const event of readChunkEvents(response.body)) {
      yield* decoder.decodeEvent(event.data, event.event);
      if (decoder.done) break;
    }
  } catch (error) {
    if (context.client.clientGone || isAbort(error)) throw error;
    yield* decoder.broken(error);
  }
  yield* decoder.end();
  rememberThinking(decoder.thinkingAndToolUse);
}

async function* wholeChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertRequest(request, context.upstreamModel, false);
  const response = await openToAnthropic(context.provider, { path: messagesPath(), body: JSON.stringify(converted.body), client: context.client });
  yield* decodeWholeMessage(await readMessage(response, context.provider.id), converted.warnings);
}

/** Anthropic's Messages API (`anthropic/*` models), streamed and not. */
export const anthropicAdapter: ProviderAdapter = {
  dialect: 'anthropic',
  relays: new Set(['anthropic-messages']),
  listModels: (provider, signal): Promise<CatalogModel[]> => listAnthropicModels(provider, signal),
  chat: (request, context) => (request.stream === false ? wholeChat(request, context) : streamChat(request, context)),
};

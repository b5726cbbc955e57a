import type { ProviderConfig } from '../../providers/types.js';
import { readChunkEvents } from '../../sse/read-chunk-events.js';
import type { AdapterContext, CatalogModel, ChatPart, ChatRequest, EmbeddingRequest, EmbeddingResponse, ImageGenerationRequest, ImageGenerationResponse, ProviderAdapter } from '../types.js';
import { decodeWholeAnswer, OpenAIChunkDecoder, type OpenAIChunk } from '../../dialects/openai-chat/decode-response.js';
import { dispatchToOpenAI, forwardToOpenAI } from './forward.js';
import { prepareOpenAIChatBody } from '../../dialects/openai-chat/encode-request.js';
import { toCatalogModel, type ListedModel } from './model-list.js';
import { GatewayError } from '../../errors.js';
import { isEventStreamType } from '../../sse/content-type.js';
import { readWholeText } from '../../upstream/http-client.js';

/** A whole answer of undici's request() (model lists, embeddings, images) as JSON; the chat calls'
 * bodies (UpstreamChunks) word their own read failures. */
const jsonBody = async <T>(response: { body: { text(): Promise<string> } }, providerId: string): Promise<T> => {
  const text = await readWholeText(response.body, providerId);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
};

async function* streamChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const response = await dispatchToOpenAI(context.provider, {
    path: '/chat/completions',
    body: JSON.stringify(prepareOpenAIChatBody({ ...request, stream: true }, context)),
    contentType: 'application/json',
    accept: 'text/event-stream',
    client: context.client,
  });
  if (!isEventStreamType(response.headers['content-type'] ?? 'text/event-stream')) {
    yield* decodeWholeAnswer(await response.body.text(), response.headers, context.provider.id, true);
    return;
  }
  const decoder = new OpenAIChunkDecoder();
  for await (const event of readChunkEvents(response.body)) {
    if (event.data === '[DONE]') return;
    let chunk: OpenAIChunk & { error?: { message?: string } };
    try {
      chunk = JSON.parse(event.data);
    } catch {
      continue; // keep-alive noise some hosts send; nothing to decode
    }
    if (chunk.error) {
      yield { type: 'error', error: new GatewayError(502, chunk.error.message ?? 'The upstream reported an error mid-stream.', { type: 'upstream_error' }) };
      return;
    }
    yield* decoder.decode(chunk);
  }
}

async function* wholeChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const response = await dispatchToOpenAI(context.provider, {
    path: '/chat/completions',
    body: JSON.stringify(prepareOpenAIChatBody({ ...request, stream: false }, context)),
    contentType: 'application/json',
    client: context.client,
  });
  yield* decodeWholeAnswer(await response.body.text(), response.headers, context.provider.id);
}

export const openAICompatibleAdapter: ProviderAdapter = {
  dialect: 'openai',
  relays: new Set(['openai-chat', 'openai-endpoints', 'openai-responses']),

  async listModels(provider: ProviderConfig, signal: AbortSignal): Promise<CatalogModel[]> {
    const response = await forwardToOpenAI(provider, { method: 'GET', path: '/models', signal });
    const body = await jsonBody<{ data?: ListedModel[] }>(response, provider.id);
    return (Array.isArray(body.data) ? body.data : []).filter((model) => typeof model?.id === 'string' && model.id.length > 0).map((model) => toCatalogModel(provider.id, model));
  },

  chat(request: ChatRequest, context: AdapterContext): AsyncIterable<ChatPart> {
    return request.stream === false ? wholeChat(request, context) : streamChat(request, context);
  },

  async embed(request: EmbeddingRequest, context: AdapterContext): Promise<EmbeddingResponse> {
    const response = await forwardToOpenAI(context.provider, {
      path: '/embeddings',
      body: JSON.stringify({ ...request, model: context.upstreamModel }),
      contentType: 'application/json',
      signal: context.client.clientGoneSignal(),
    });
    return jsonBody(response, context.provider.id);
  },

  async generateImage(request: ImageGenerationRequest, context: AdapterContext): Promise<ImageGenerationResponse> {
    const response = await forwardToOpenAI(context.provider, {
      path: '/images/generations',
      body: JSON.stringify({ ...request, model: context.upstreamModel }),
      contentType: 'application/json',
      signal: context.client.clientGoneSignal(),
    });
    return jsonBody(response, context.provider.id);
  },
};

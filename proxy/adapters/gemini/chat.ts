import { GatewayError } from '../../errors.js';
import { readChunkEvents } from '../../sse/read-chunk-events.js';
import { isAbort } from '../../upstream/http-client.js';
import type { AdapterContext, ChatPart, ChatRequest } from '../types.js';
import { convertChatRequest } from '../../dialects/gemini/encode-request.js';
import { GeminiResponseDecoder } from '../../dialects/gemini/decode-response.js';
import { geminiError } from '../../dialects/gemini/read-error.js';
import { generatePath } from '../../dialects/gemini/api.js';
import { openGemini, readGeminiJson } from './send.js';
import type { UpstreamChunks } from '../../upstream/upstream-chunks.js';
import type { GeminiResponse } from '../../dialects/gemini/wire-types.js';

const brokenStream = (cause: unknown): GatewayError =>
  GatewayError.upstreamBrokeOff(undefined, cause);

const malformedEvent = (): GatewayError =>
  GatewayError.badUpstreamBody(undefined, 'a stream event that is not JSON');

type Answer = GeminiResponse | GeminiResponse[];

/** An SSE body, event by event. Returns false when it ended in an error part: a malformed event,
 * an `error` object in the stream, or a broken connection (never a throw once parts are out). */
async function* decodeEvents(body: UpstreamChunks, decoder: GeminiResponseDecoder, context: AdapterContext): AsyncGenerator<ChatPart, boolean> {
  try {
    for await (const event of readChunkEvents(body)) {
      if (!event.data.trim()) continue;
      let chunk: GeminiResponse;
      try {
        chunk = JSON.parse(event.data) as GeminiResponse;
      } catch {
        yield { type: 'error', error: malformedEvent() };
        return false;
      }
      if (chunk.error) {
        yield { type: 'error', error: geminiError(chunk.error.code ?? 502, {}, event.data, context.provider.id) };
        return false;
      }
      yield* decoder.decode(chunk);
    }
    return true;
  } catch (error) {
    if (isAbort(error) || context.client.clientGone) throw error;
    yield { type: 'error', error: error instanceof GatewayError ? error : brokenStream(error) };
    return false;
  }
}

/** A JSON answer: one body, or the array of chunks the streaming method sends without alt=sse
 * (some proxies answer that way). Returns false when a chunk is an error. */
function* decodeJson(body: Answer, decoder: GeminiResponseDecoder, providerId: string): Generator<ChatPart, boolean> {
  for (const chunk of Array.isArray(body) ? body : [body]) {
    if (chunk?.error) {
      yield { type: 'error', error: geminiError(chunk.error.code ?? 502, {}, JSON.stringify(chunk), providerId) };
      return false;
    }
    yield* decoder.decode(chunk ?? {});
  }
  return true;
}

/** The held parts last. Warnings go there too: the route holds its headers for the first part,
 * which should be the answer. */
function* finishAnswer(decoder: GeminiResponseDecoder, warnings: string[]): Generator<ChatPart> {
  for (const message of warnings) yield { type: 'warning', message };
  yield* decoder.end();
}

/** streamGenerateContent?alt=sse, decoded chunk by chunk; a stream that simply ends still
 * finishes cleanly. */
async function* streamChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertChatRequest(request, context.upstreamModel);
  const response = await openGemini(context.provider, {
    path: generatePath(context.upstreamModel, true),
    body: converted.body,
    accept: 'text/event-stream',
    client: context.client,
  });
  const decoder = new GeminiResponseDecoder();
  const json = /\bjson\b/i.test(String(response.headers['content-type'] ?? ''));
  const completed = json
    ? yield* decodeJson(await readGeminiJson<Answer>(response, context.provider.id), decoder, context.provider.id)
    : yield* decodeEvents(response.body, decoder, context);
  if (completed) yield* finishAnswer(decoder, converted.warnings);
}

/** generateContent, decoded by the same decoder as one chunk, so a collected stream and a whole
 * answer give the same parts. */
async function* wholeChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertChatRequest(request, context.upstreamModel);
  const response = await openGemini(context.provider, {
    path: generatePath(context.upstreamModel, false),
    body: converted.body,
    client: context.client,
  });
  const decoder = new GeminiResponseDecoder();
  if (yield* decodeJson(await readGeminiJson<Answer>(response, context.provider.id), decoder, context.provider.id)) yield* finishAnswer(decoder, converted.warnings);
}

export const geminiChat = (request: ChatRequest, context: AdapterContext): AsyncIterable<ChatPart> =>
  request.stream === false ? wholeChat(request, context) : streamChat(request, context);

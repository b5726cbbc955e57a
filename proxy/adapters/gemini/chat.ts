import { GatewayError } from '../../errors.js';
import { readServerSentEvents } from '../../sse/read-events.js';
import { isAbort } from '../../upstream/http-client.js';
import type { AdapterContext, ChatPart, ChatRequest } from '../types.js';
import { convertChatRequest } from './convert-request.js';
import { GeminiResponseDecoder } from './decode-response.js';
import { geminiError } from './errors.js';
import { callGemini, modelPath, readGeminiJson } from './send.js';
import type { GeminiResponse } from './wire-types.js';

const brokenStream = (cause: unknown): GatewayError =>
  new GatewayError(502, 'The upstream broke off the stream.', { type: 'upstream_error', code: 'upstream_stream_broken', cause });

const malformedEvent = (): GatewayError =>
  new GatewayError(502, 'The upstream sent a stream event that is not JSON.', { type: 'upstream_error', code: 'bad_upstream_response' });

/** streamGenerateContent?alt=sse, decoded chunk by chunk. A broken or malformed stream ends in an
 * error part (never a throw once parts have gone out), and a stream that simply ends still
 * finishes cleanly. */
async function* streamChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertChatRequest(request, context.upstreamModel);
  const response = await callGemini(context.provider, {
    path: `${modelPath(context.upstreamModel, 'streamGenerateContent')}?alt=sse`,
    body: converted.body,
    accept: 'text/event-stream',
    signal: context.signal,
  });
  const decoder = new GeminiResponseDecoder();
  try {
    for await (const event of readServerSentEvents(response.body)) {
      if (!event.data.trim()) continue;
      let chunk: GeminiResponse;
      try {
        chunk = JSON.parse(event.data) as GeminiResponse;
      } catch {
        yield { type: 'error', error: malformedEvent() };
        return;
      }
      if (chunk.error) {
        yield { type: 'error', error: geminiError(chunk.error.code ?? 502, {}, event.data, context.provider.id) };
        return;
      }
      yield* decoder.decode(chunk);
    }
  } catch (error) {
    if (isAbort(error) || context.signal.aborted) throw error;
    yield { type: 'error', error: error instanceof GatewayError ? error : brokenStream(error) };
    return;
  }
  // Warnings go last: the route holds its headers for the first part, which should be the answer.
  for (const message of converted.warnings) yield { type: 'warning', message };
  yield* decoder.end();
}

/** generateContent, decoded by the same decoder as one chunk, so a collected stream and a whole
 * answer give the same parts. */
async function* wholeChat(request: ChatRequest, context: AdapterContext): AsyncGenerator<ChatPart> {
  const converted = convertChatRequest(request, context.upstreamModel);
  const response = await callGemini(context.provider, {
    path: modelPath(context.upstreamModel, 'generateContent'),
    body: converted.body,
    signal: context.signal,
  });
  const body = await readGeminiJson<GeminiResponse | GeminiResponse[]>(response, context.provider.id);
  const decoder = new GeminiResponseDecoder();
  // Some proxies answer generateContent with the streaming method's array of chunks.
  for (const chunk of Array.isArray(body) ? body : [body]) yield* decoder.decode(chunk);
  for (const message of converted.warnings) yield { type: 'warning', message };
  yield* decoder.end();
}

export const geminiChat = (request: ChatRequest, context: AdapterContext): AsyncIterable<ChatPart> =>
  request.stream === false ? wholeChat(request, context) : streamChat(request, context);

import type { Response } from 'express';
import { GatewayError } from '../../errors.js';
import type { ResolvedModel } from '../../providers/registry.js';
import { startEventStream } from '../../sse/sse-response.js';
import { isAbort } from '../../upstream/http-client.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import type { RequestTracker } from '../../usage/request-tracker.js';
import type { GeminiStreamFraming } from '../../dialects/gemini/answer-format.js';
import { geminiHeaders, geminiUrl, generatePath } from '../../dialects/gemini/api.js';
import { geminiError } from '../../dialects/gemini/read-error.js';
import { GeminiRelayObserver } from '../../dialects/gemini/relay-observer.js';
import { hasTokenCounts, usageFromGemini } from '../../dialects/gemini/usage.js';
import { answerFactsFromGemini } from '../../dialects/gemini/answer-facts.js';
import type { GeminiResponse } from '../../dialects/gemini/wire-types.js';

export interface GeminiRelayArguments {
  /** The client's body, relayed as it is: only the URL names the upstream's model. */
  body: Record<string, unknown>;
  /** streamGenerateContent, or generateContent. */
  stream: boolean;
  /** For a stream: how the client asked the chunks to be framed. */
  framing?: GeminiStreamFraming;
  resolved: ResolvedModel;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
  /** Masks known secrets in an upstream's error chunk. */
  redact: (text: string) => string;
}

const parseJson = (bytes: Buffer, providerId: string): unknown => {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
};

/** The usage of a whole answer (one object, or the array of a stream answered as JSON), and how it ended. */
const observeUsage = (answer: unknown, tracker: RequestTracker): void => {
  const chunks = (Array.isArray(answer) ? answer : [answer]) as GeminiResponse[];
  const usage = chunks.map((chunk) => chunk?.usageMetadata).filter(hasTokenCounts).at(-1);
  if (usage) tracker.usage(usageFromGemini(usage));
  if (tracker.watchesAnswers) tracker.answered(answerFactsFromGemini(chunks));
};

const relayWhole = async (upstream: OpenedUpstream, options: GeminiRelayArguments): Promise<void> => {
  const bytes = await upstream.body.bytes();
  options.tracker.firstToken();
  observeUsage(parseJson(bytes, options.resolved.provider.id), options.tracker);
  options.response.writeHead(200, Object.assign({ 'content-type': 'application/json; charset=utf-8' }, options.servedHeaders));
  options.response.end(bytes);
};

const streamHeaders = (options: GeminiRelayArguments): Record<string, string> =>
  options.framing === 'json-array' ? { ...options.servedHeaders, 'content-type': 'application/json; charset=utf-8' } : options.servedHeaders;

/** The upstream's chunks go to the client as they complete, with backpressure; a break after the
 * first byte is thrown for the error exit to write as the stream's last event. */
const relayStream = async (upstream: OpenedUpstream, options: GeminiRelayArguments): Promise<void> => {
  const { response, tracker } = options;
  const observer = new GeminiRelayObserver(options.framing ?? 'sse', options.resolved.provider.id, options.redact, tracker.watchesAnswers);
  startEventStream(response, streamHeaders(options));
  const opening = observer.opening();
  if (opening) response.write(opening);
  let broken: GatewayError | undefined;
  try {
    const json = /\bjson\b/i.test(String(upstream.headers['content-type'] ?? ''));
    if (json) {
      // A host that answers the stream request with one JSON array: its chunks, framed as asked.
      const answer = parseJson(await upstream.body.bytes(), options.resolved.provider.id);
      tracker.firstToken();
      response.write(observer.pushChunks((Array.isArray(answer) ? answer : [answer]) as GeminiResponse[]));
    } else {
      await upstream.body.each((chunk) => {
        tracker.firstToken();
        const text = observer.push(chunk);
        if (text) upstream.body.relay(response, text);
      });
    }
    response.write(observer.end());
  } catch (error) {
    if (!tracker.clientGone && !isAbort(error)) broken = error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(options.resolved.provider.id, error);
  } finally {
    if (observer.usage) tracker.usage(observer.usage);
    if (tracker.watchesAnswers) tracker.answered(observer.answer);
    if (observer.error) tracker.failed(observer.error);
    if (!broken && !response.writableEnded) response.end();
  }
  if (broken) throw broken;
};

/** The native lane: Gemini client, Gemini upstream. The client's body goes upstream unchanged to
 * the same method of the upstream's model; the answer comes back chunk by chunk. */
export const relayGemini = async (options: GeminiRelayArguments): Promise<void> => {
  const { provider, upstreamModel } = options.resolved;
  const { stream } = options;
  const upstream = await openUpstream({
    // Always SSE from the upstream (generatePath): one observer reads it, whatever framing the client wants.
    url: geminiUrl(provider, generatePath(upstreamModel, stream)),
    headers: geminiHeaders(provider, true, stream ? 'text/event-stream' : 'application/json'),
    body: JSON.stringify(options.body),
    client: options.tracker,
    providerId: provider.id,
    timeouts: provider.timeouts,
  });
  if (upstream.statusCode >= 400) throw geminiError(upstream.statusCode, upstream.headers, await upstream.body.text().catch(() => ''), provider.id);
  return stream ? relayStream(upstream, options) : relayWhole(upstream, options);
};

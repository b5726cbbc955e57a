import type { Response } from 'express';
import type { Dispatcher } from 'undici';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import { OpenAIPassthrough } from '../dialects/openai-chat/relay-observer.js';
import { answerFactsFromOpenAI } from '../dialects/openai-chat/answer-facts.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import type { ClientWatch } from '../upstream/client-watch.js';
import { isAbort, type UpstreamResponse } from '../upstream/http-client.js';
import { errorInOkAnswer } from '../upstream/upstream-error.js';
import { writeWithBackpressure } from '../pipeline/write-with-backpressure.js';
import { servedHeaders } from './served-headers.js';
import { isEventStreamType } from '../sse/content-type.js';

/** How an upstream's answer goes to an HTTP client: the HTTP sink of the OpenAI endpoints. */
export interface RelayAnswerOptions {
  resolved: ResolvedModel;
  response: Response;
  tracker: RequestTracker;
  /** The route's client (its tracker), or an in-process caller's. */
  client: ClientWatch;
  /** For SSE answers: whether the client asked for the usage chunk. */
  clientWantsUsage?: boolean;
  /** Reads usage out of a JSON answer (it is parsed only when this is given). */
  observeJson?: (body: unknown) => void;
  /** Reads usage out of an SSE answer's usage-bearing events, where they are not chat chunks. */
  observeEvent?: (event: unknown) => void;
  /** Masks keys in SSE events relayed from the upstream. */
  redact?: (text: string) => string;
}

export interface RelayOptions extends RelayAnswerOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Dispatcher.DispatchOptions['body'];
  contentType?: string;
}

const RELAYED_HEADERS = ['content-type', 'content-disposition', 'retry-after', 'openai-processing-ms', 'x-request-id'];

/** Forwards a request to an OpenAI-dialect upstream and relays the answer. */
export const relayToOpenAI = async (options: RelayOptions): Promise<void> =>
  relayAnswer(await forwardToOpenAI(options.resolved.provider, { method: options.method, path: options.path, body: options.body, contentType: options.contentType, signal: options.client.clientGoneSignal() }), options);

/** An OpenAI-dialect upstream's answer to an HTTP client: JSON read whole (to observe usage), SSE
 * re-framed event by event, anything else (audio, video) streamed as it comes, with backpressure. */
export const relayAnswer = async (upstream: UpstreamResponse, options: RelayAnswerOptions): Promise<void> => {
  const { resolved, response, tracker, client } = options;
  const contentType = String(upstream.headers['content-type'] ?? 'application/octet-stream');
  const headers: Record<string, string> = { ...servedHeaders(resolved) };
  for (const name of RELAYED_HEADERS) {
    const value = upstream.headers[name];
    if (typeof value === 'string' && name !== 'x-request-id') headers[name] = value;
  }
  if (/application\/json/i.test(contentType) && options.observeJson) {
    const bytes = Buffer.from(await upstream.body.arrayBuffer());
    tracker.firstToken();
    const text = bytes.toString('utf8');
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      // An answer the gateway cannot read is still the client's to judge; only usage is lost.
    }
    const failure = upstream.statusCode < 300 ? errorInOkAnswer(answer, upstream.headers, text, resolved.provider.id) : undefined;
    if (failure) throw failure;
    try {
      if (answer !== undefined) options.observeJson(answer);
      if (tracker.watchesAnswers) tracker.answered(answerFactsFromOpenAI(answer));
    } catch {
      // An answer of an unexpected shape is still relayed; only usage is lost.
    }
    response.writeHead(upstream.statusCode, headers);
    response.end(bytes);
    return;
  }
  response.writeHead(upstream.statusCode, headers);
  response.flushHeaders();
  const passthrough = isEventStreamType(contentType) ? new OpenAIPassthrough(options.clientWantsUsage ?? true, options.redact, tracker.watchesAnswers, options.observeEvent) : undefined;
  let broken: GatewayError | undefined;
  try {
    for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
      tracker.firstToken();
      // Backpressure: the next chunk is not taken from the upstream until a slow client has drained.
      const wait = writeWithBackpressure(response, passthrough ? passthrough.push(chunk) : chunk);
      if (wait) await wait;
      if (response.destroyed) return;
    }
    if (passthrough) response.write(passthrough.end());
  } catch (error) {
    if (!client.clientGone && !isAbort(error)) broken = error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(resolved.provider.id, error);
  } finally {
    if (passthrough?.observation.usage) tracker.usage(passthrough.observation.usage);
    if (passthrough && tracker.watchesAnswers) tracker.answered(passthrough.observation.answer);
    if (!broken && !response.writableEnded && !response.destroyed) response.end();
  }
  // The route's error exit writes it as the last SSE event, or cuts any other body short.
  if (broken) throw broken;
};

import type { IncomingHttpHeaders } from 'node:http';
import type { Response } from 'express';
import { GatewayError } from '../../errors.js';
import type { ResolvedModel } from '../../providers/registry.js';
import { anthropicUrl, messagesPath, relayedAnthropicHeaders } from '../../dialects/anthropic-messages/api.js';
import { isEventStreamType } from '../../sse/content-type.js';
import { openUpstream, type OpenedUpstream } from '../../upstream/open-upstream.js';
import { errorFromUpstream } from '../../upstream/upstream-error.js';
import type { RequestTracker } from '../../usage/request-tracker.js';
import { AnthropicRelayObserver } from '../../dialects/anthropic-messages/relay-observer.js';
import { usageFromAnthropic } from '../../dialects/anthropic-messages/usage.js';
import { answerFactsFromAnthropic } from '../../dialects/anthropic-messages/answer-facts.js';
import { decodeMessage } from '../../dialects/anthropic-messages/decode-response.js';
import { respondAnthropic } from './translated-response.js';
import { relayEventStream } from '../relay-event-stream.js';
import type { AnthropicResponseMessage, AnthropicUsage } from '../../dialects/anthropic-messages/wire-types.js';

export interface NativePassthroughArguments {
  body: Record<string, unknown>;
  /** The client's request headers (the dialect's api.ts takes what it passes on). */
  clientHeaders: IncomingHttpHeaders;
  beta: boolean;
  resolved: ResolvedModel;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
  /** Masks known secrets in an upstream's in-stream error event. */
  redact: (text: string) => string;
}

/** An upstream refusal becomes a GatewayError (status, message and Retry-After kept), so fallbacks
 * can take over; the route's error handler gives it back to the client in Anthropic's shape. */
const refusal = async (upstream: OpenedUpstream, providerId: string): Promise<GatewayError> =>
  errorFromUpstream(upstream.statusCode, upstream.headers, await upstream.body.text().catch(() => ''), providerId);

const relayWhole = async (upstream: OpenedUpstream, options: NativePassthroughArguments): Promise<void> => {
  const bytes = await upstream.body.bytes();
  options.tracker.firstToken();
  let message: { usage?: AnthropicUsage };
  try {
    message = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw GatewayError.badUpstreamBody(options.resolved.provider.id, 'a body that is not JSON');
  }
  if (message?.usage) options.tracker.usage(usageFromAnthropic(message.usage));
  if (options.tracker.watchesAnswers) options.tracker.answered(answerFactsFromAnthropic(message));
  options.response.writeHead(200, Object.assign({ 'content-type': 'application/json' }, options.servedHeaders));
  options.response.end(bytes);
};

/** The native lane: Anthropic client, Anthropic upstream. The client's body goes upstream with only
 * the model id changed, and the answer comes back byte for byte. */
export const passthroughAnthropic = async (options: NativePassthroughArguments): Promise<void> => {
  const { provider, upstreamModel } = options.resolved;
  const stream = options.body.stream === true;
  const upstream = await openUpstream({
    url: anthropicUrl(provider, messagesPath(options.beta)),
    headers: relayedAnthropicHeaders(provider, options.clientHeaders, stream),
    body: JSON.stringify({ ...options.body, model: upstreamModel }),
    client: options.tracker,
    providerId: provider.id,
    timeouts: provider.timeouts,
  });
  if (upstream.statusCode >= 400) throw await refusal(upstream, provider.id);
  if (isEventStreamType(upstream.headers['content-type'])) {
    const observer = new AnthropicRelayObserver(provider.id, options.redact);
    return relayEventStream(upstream, observer, { response: options.response, tracker: options.tracker, providerId: provider.id, servedHeaders: options.servedHeaders });
  }
  if (stream) return answerWholeAsStream(upstream, options);
  return relayWhole(upstream, options);
};

/** Some Anthropic-compatible hosts answer a stream request with one JSON message: it goes out as
 * the stream the client asked for, through the same encoder as every translated answer. */
const answerWholeAsStream = async (upstream: OpenedUpstream, options: NativePassthroughArguments): Promise<void> => {
  let message: AnthropicResponseMessage;
  try {
    message = JSON.parse(await upstream.body.text());
  } catch {
    throw GatewayError.badUpstreamBody(options.resolved.provider.id, 'a body that is not JSON');
  }
  const parts = decodeMessage(message);
  await respondAnthropic({
    parts: (async function* () {
      yield* parts;
    })(),
    stream: true,
    clientModel: options.resolved.requestedModel,
    response: options.response,
    tracker: options.tracker,
    servedHeaders: options.servedHeaders,
  });
};

import type { Response } from 'express';
import { dispatchToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import { OpenAIPassthrough } from '../dialects/openai-chat/relay-observer.js';
import { abandonEventStream, prepareEventStream } from '../sse/sse-response.js';
import { usageFromOpenAI } from '../dialects/openai-chat/usage.js';
import { answerFactsFromOpenAI } from '../dialects/openai-chat/answer-facts.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { isAbort } from '../upstream/http-client.js';
import type { OpenedUpstream } from '../upstream/open-upstream.js';
import { readOkJsonAnswer } from '../upstream/upstream-error.js';
import { decodeWholeAnswer } from '../dialects/openai-chat/decode-response.js';
import { respondTranslated } from './chat-translated.js';
import type { ClientChatRequest } from './chat-request.js';
import { isEventStreamType } from '../sse/content-type.js';

export interface PassthroughArguments {
  chat: ClientChatRequest;
  resolved: ResolvedModel;
  response: Response;
  tracker: RequestTracker;
  servedHeaders: Record<string, string>;
  /** Masks known secrets in an upstream's in-stream error event. */
  redact?: (text: string) => string;
}

/** The fast lane: OpenAI client, OpenAI-dialect upstream. The upstream's bytes go to the client as
 * they arrive; only usage-bearing events are parsed. */
export const passthroughChat = async ({ chat, resolved, response, tracker, servedHeaders, redact }: PassthroughArguments): Promise<void> => {
  const stream = chat.head.stream === true;
  const includeUsage = chat.head.stream_options?.include_usage === true;
  const opening = dispatchToOpenAI(resolved.provider, {
    path: '/chat/completions',
    body: chat.upstreamBody(resolved),
    contentType: 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    client: tracker,
  });
  // The request is on its way: what the answer's first event needs (its parser, the response's
  // headers) is made while the upstream works, not after it answers.
  const passthrough = stream ? new OpenAIPassthrough(includeUsage, redact, tracker.watchesAnswers) : undefined;
  if (passthrough) prepareEventStream(response, servedHeaders);
  let upstream: OpenedUpstream;
  try {
    upstream = await opening;
  } catch (error) {
    abandonEventStream(response, servedHeaders);
    throw error;
  }
  if (!passthrough) {
    const { bytes, answer } = await readOkJsonAnswer<{ usage?: Parameters<typeof usageFromOpenAI>[0] }>(upstream, resolved.provider.id);
    tracker.firstToken();
    const usage = usageFromOpenAI(answer?.usage);
    if (usage) tracker.usage(usage);
    if (tracker.watchesAnswers) tracker.answered(answerFactsFromOpenAI(answer));
    response.writeHead(200, { 'content-type': 'application/json', ...servedHeaders });
    response.end(bytes);
    return;
  }
  if (!isEventStreamType(upstream.headers['content-type'] ?? 'text/event-stream')) {
    abandonEventStream(response, servedHeaders);
    await answerJsonToStream(await upstream.body.bytes(), upstream.headers, { chat, resolved, response, tracker, servedHeaders, redact });
    return;
  }
  // The headers leave with the first event, in one write (TTFB), or after one turn of the event
  // loop when the upstream's first event is not already here, so a slow first token never holds
  // them back.
  let flushHeaders: NodeJS.Immediate | undefined = setImmediate(() => response.flushHeaders());
  let broken: GatewayError | undefined;
  try {
    await upstream.body.each((chunk) => {
      const text = passthrough.push(chunk);
      if (!text) return;
      tracker.firstToken();
      if (flushHeaders) {
        clearImmediate(flushHeaders);
        flushHeaders = undefined;
      }
      upstream.body.relay(response, text);
    });
    const rest = passthrough.end();
    if (rest) response.write(rest);
  } catch (error) {
    if (!tracker.clientGone && !isAbort(error)) broken = error instanceof GatewayError ? error : GatewayError.upstreamBrokeOff(resolved.provider.id, error);
  } finally {
    if (flushHeaders) clearImmediate(flushHeaders);
    if (passthrough.observation.usage) tracker.usage(passthrough.observation.usage);
    if (tracker.watchesAnswers) tracker.answered(passthrough.observation.answer);
    if (!broken && !response.writableEnded) response.end();
  }
  // The route's error exit writes it as the stream's last event.
  if (broken) throw broken;
};

/** A stream request answered with JSON (an error under status 200, or a whole completion): the
 * error keeps its status; the completion goes out as the stream the client asked for. */
const answerJsonToStream = (bytes: Buffer, headers: OpenedUpstream['headers'], options: PassthroughArguments): Promise<void> => {
  const parts = decodeWholeAnswer(bytes.toString('utf8'), headers, options.resolved.provider.id, true);
  return respondTranslated({
    parts: (async function* () {
      yield* parts;
    })(),
    stream: true,
    includeUsage: options.chat.head.stream_options?.include_usage === true,
    clientModel: options.resolved.requestedModel,
    response: options.response,
    tracker: options.tracker,
    servedHeaders: options.servedHeaders,
  });
};

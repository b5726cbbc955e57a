import type { Request, Response } from 'express';
import type { ResolvedModel } from '../../providers/registry.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { readJsonBody } from '../../server/read-body.js';
import { adapterFor } from '../../adapters/index.js';
import { serveWithFallbacks } from '../../pipeline/fallbacks.js';
import { trackRequest, type RequestTracker } from '../../usage/request-tracker.js';
import { beginModelCall } from '../../pipeline/begin-call.js';
import { servedHeaders } from '../served-headers.js';
import type { AnthropicRequest } from '../../dialects/anthropic-messages/wire-types.js';
import { passthroughAnthropic } from './native-passthrough.js';
import { checkMessagesRequest } from '../../dialects/anthropic-messages/request-schema.js';
import { estimateInputTokens } from '../../dialects/anthropic-messages/estimate-tokens.js';
import { toChatRequest } from '../../dialects/anthropic-messages/decode-request.js';
import { respondAnthropic } from './translated-response.js';
import { messagesAttribution } from '../../dialects/anthropic-messages/attribution.js';
import { fitSampling, limitOutput } from '../limit-output.js';
import { asksForBeta, messagesPath, REQUEST_ID_HEADER } from '../../dialects/anthropic-messages/api.js';
import { callEndpoint } from '../../usage/call-endpoint.js';

export const MESSAGES_ENDPOINT = callEndpoint(messagesPath(), 'chat');

interface ServeArguments {
  gateway: GatewayContext;
  request: Request;
  response: Response;
  tracker: RequestTracker;
  body: AnthropicRequest;
  stream: boolean;
}

/** One model's attempt at the request: natively for Anthropic upstreams, translated otherwise. */
const serveWith = async (served: ResolvedModel, { gateway, request, response, tracker, body, stream }: ServeArguments): Promise<void> => {
  gateway.registry.requireKey(served.provider);
  const headers = servedHeaders(served);
  const adapter = adapterFor(served.provider.dialect);
  if (adapter.relays.has('anthropic-messages')) {
    await passthroughAnthropic({ body, clientHeaders: request.headers, beta: asksForBeta(request.url), resolved: served, response, tracker, servedHeaders: headers, redact: (text) => gateway.redactor.redact(text) });
    return;
  }
  const chatRequest = toChatRequest(body, stream);
  limitOutput(gateway, served, chatRequest);
  fitSampling(gateway, served, chatRequest);
  await respondAnthropic({
    parts: adapter.chat(chatRequest, { provider: served.provider, upstreamModel: served.upstreamModel, client: tracker }),
    stream,
    clientModel: served.requestedModel,
    estimatedInputTokens: estimateInputTokens(body),
    response,
    tracker,
    servedHeaders: headers,
  });
};

/** POST /v1/messages: Anthropic's Messages API in front of every model, with the configured
 * fallbacks (governance/fallbacks.ts). Errors are turned into Anthropic's shape by the mount's
 * error handler. */
export const messages = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, MESSAGES_ENDPOINT);
  response.setHeader(REQUEST_ID_HEADER, tracker.requestId);
  const fields = await readJsonBody(request, gateway.limits.jsonBytes);
  checkMessagesRequest(fields);
  const body = fields as unknown as AnthropicRequest;
  const stream = body.stream === true;
  tracker.attribute(messagesAttribution(body));
  const call = await beginModelCall(gateway, tracker, body.model, stream);
  const serve: ServeArguments = { gateway, request, response, tracker, body, stream };
  await serveWithFallbacks(gateway, tracker, response, call.resolved, (served) => serveWith(served, serve));
};

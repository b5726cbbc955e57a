import type { Request, Response } from 'express';
import type { ResolvedModel } from '../../providers/registry.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { fitSampling, limitOutput } from '../limit-output.js';
import { readJsonBody } from '../../server/read-body.js';
import { adapterFor } from '../../adapters/index.js';
import { beginModelCall } from '../../pipeline/begin-call.js';
import { serveWithFallbacks } from '../../pipeline/fallbacks.js';
import { answerOverHttp } from '../../pipeline/http-sink.js';
import { trackRequest, type RequestTracker } from '../../usage/request-tracker.js';
import { servedHeaders } from '../served-headers.js';
import { validate } from '../validation.js';
import { geminiAnswerFormat, streamFramingOf, type GeminiStreamFraming } from '../../dialects/gemini/answer-format.js';
import { toChatRequest } from '../../dialects/gemini/decode-request.js';
import { generateContentSchema } from '../../dialects/gemini/request-schema.js';
import type { GeminiClientRequest } from '../../dialects/gemini/wire-types.js';
import { relayGemini } from './native-relay.js';
import { geminiAttribution } from '../../dialects/gemini/attribution.js';
import { callEndpoint } from '../../usage/call-endpoint.js';
import { GEMINI_METHODS, methodEndpoint } from '../../dialects/gemini/api.js';

/** The ledger's endpoint names (the model is in the record's own column, never in the endpoint). */
export const GENERATE_ENDPOINT = callEndpoint(methodEndpoint(GEMINI_METHODS.generate), 'generate_content');
export const STREAM_ENDPOINT = callEndpoint(methodEndpoint(GEMINI_METHODS.stream), 'generate_content');

interface ServeArguments {
  gateway: GatewayContext;
  response: Response;
  tracker: RequestTracker;
  body: GeminiClientRequest;
  stream: boolean;
  framing: GeminiStreamFraming;
}

/** One model's attempt: relayed to a Gemini upstream, translated for every other. */
const serveWith = async (served: ResolvedModel, { gateway, response, tracker, body, stream, framing }: ServeArguments): Promise<void> => {
  gateway.registry.requireKey(served.provider);
  const headers = servedHeaders(served);
  const adapter = adapterFor(served.provider.dialect);
  const redact = (text: string) => gateway.redactor.redact(text);
  if (adapter.relays.has('gemini-generate')) {
    await relayGemini({ body, stream, framing, resolved: served, response, tracker, servedHeaders: headers, redact });
    return;
  }
  const decoded = toChatRequest(body, served.upstreamModel, stream);
  limitOutput(gateway, served, decoded.chat);
  fitSampling(gateway, served, decoded.chat);
  for (const warning of decoded.warnings) gateway.log.warn(`gemini request to ${served.requestedModel}: ${warning}`);
  await answerOverHttp({
    parts: adapter.chat(decoded.chat, { provider: served.provider, upstreamModel: served.upstreamModel, client: tracker }),
    stream,
    format: geminiAnswerFormat({ model: served.requestedModel, includeThoughts: decoded.includeThoughts, fallbackResponseId: tracker.requestId }, framing),
    response,
    tracker,
    servedHeaders: headers,
  });
};

/** POST .../models/{model}:generateContent and :streamGenerateContent (`alt=sse`, else a JSON
 * array), in front of every model, with the configured fallbacks. */
export const generateContent = (gateway: GatewayContext, stream: boolean) => async (request: Request, response: Response, model: string) => {
  const tracker = trackRequest(gateway, request, response, stream ? STREAM_ENDPOINT : GENERATE_ENDPOINT);
  const body = (await readJsonBody(request, gateway.limits.jsonBytes)) as GeminiClientRequest;
  validate(generateContentSchema, body);
  tracker.attribute(geminiAttribution(body));
  const call = await beginModelCall(gateway, tracker, model, stream);
  const framing = streamFramingOf(request.query);
  const serve: ServeArguments = { gateway, response, tracker, body, stream, framing };
  await serveWithFallbacks(gateway, tracker, response, call.resolved, (served) => serveWith(served, serve));
};

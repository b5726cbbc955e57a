import type { Request, Response } from 'express';
import { adapterFor } from '../../adapters/index.js';
import { responsesAnswerFormat } from '../../dialects/openai-responses/answer-format.js';
import { responsesAttribution } from '../../dialects/openai-responses/attribution.js';
import { checkResponsesRequest, inputItems, toChatRequest, type DecodedResponsesRequest } from '../../dialects/openai-responses/decode-request.js';
import type { InputContext } from '../../dialects/openai-responses/decode-input.js';
import type { ResponsesInputItem, ResponsesRequest } from '../../dialects/openai-responses/wire-types.js';
import { GatewayError } from '../../errors.js';
import { beginModelCall } from '../../pipeline/begin-call.js';
import { serveWithFallbacks } from '../../pipeline/fallbacks.js';
import { answerOverHttp } from '../../pipeline/http-sink.js';
import type { ResolvedModel } from '../../providers/registry.js';
import { resolveModel, type GatewayContext } from '../../server/gateway-context.js';
import { readJsonBody } from '../../server/read-body.js';
import { requesterOf, trackRequest, type RequestTracker } from '../../usage/request-tracker.js';
import { fitSampling, limitOutput } from '../limit-output.js';
import { servedHeaders } from '../served-headers.js';
import { relayResponses, relaysResponses } from './relay-responses.js';
import type { ResponsesState } from './responses-state.js';
import { callEndpoint } from '../../usage/call-endpoint.js';

export const RESPONSES_ENDPOINT = callEndpoint('/v1/responses', 'chat');

interface ServeArguments {
  gateway: GatewayContext;
  state: ResponsesState;
  response: Response;
  tracker: RequestTracker;
  body: ResponsesRequest;
  decoded: DecodedResponsesRequest;
  stream: boolean;
  stored: boolean;
  owner: string;
}

/** The conversation before this request, when it continues a stored response (a 404 when there is
 * none for this token). A 400 when the gateway keeps no responses at all, or when a provider keeps
 * this one (it was relayed there). A request with
 * `store: false` may still continue a stored one, as at OpenAI; it is only not kept itself. */
const historyOf = (state: ResponsesState, body: ResponsesRequest, owner: string): ResponsesInputItem[] => {
  const previous = body.previous_response_id;
  if (!previous) return [];
  const keeper = state.relayed.lookup(previous, owner)?.provider.id;
  if (keeper) throw GatewayError.invalidRequest(`The response '${previous}' is kept by provider "${keeper}", which served it; a model the gateway translates cannot continue it. Continue with a model of that provider, or send the earlier turns as input.`, 'previous_response_id', 'previous_response_not_found');
  if (!state.store) throw GatewayError.invalidRequest('previous_response_id needs stored responses, and this gateway keeps none (storage is turned off).', 'previous_response_id', 'storage_disabled');
  return state.store.conversation(previous, owner);
};

/** How input items are read for this token: its stored items back an `item_reference`. */
const inputContextOf = (state: ResponsesState, owner: string): InputContext => ({
  seal: state.seal,
  storedItem: (id, param) => {
    if (!state.store) throw GatewayError.invalidRequest('An item_reference needs stored responses, and this gateway keeps none (storage is turned off).', param, 'storage_disabled');
    return state.store.item(id, owner, param);
  },
});

/** One model's attempt: the neutral request through the adapter, the parts written as Responses
 * JSON or SSE; kept for previous_response_id once complete. */
const serveWith = async (served: ResolvedModel, serve: ServeArguments): Promise<void> => {
  const { gateway, state, response, tracker, body, decoded, stream } = serve;
  gateway.registry.requireKey(served.provider);
  const adapter = adapterFor(served.provider.dialect);
  // Each attempt gets its own copy: the output limit is the served model's.
  const chat = { ...decoded.chat };
  limitOutput(gateway, served, chat);
  fitSampling(gateway, served, chat);
  const answer = responsesAnswerFormat({
    responseId: `resp_${tracker.requestId.slice(4)}`,
    model: served.requestedModel,
    request: body,
    stored: serve.stored,
    toolNames: decoded.toolNames,
    seal: state.seal,
  });
  await answerOverHttp({
    parts: adapter.chat(chat, { provider: served.provider, upstreamModel: served.upstreamModel, client: tracker }),
    stream,
    format: answer.format,
    response,
    tracker,
    servedHeaders: warningHeaders(servedHeaders(served), decoded.leftOutTools),
  });
  const finished = answer.encoder.storedResponse;
  if (serve.stored && state.store && (finished.status === 'completed' || finished.status === 'incomplete')) {
    state.store.save({ owner: serve.owner, storedAt: Date.now(), input: inputItems(body.input), response: finished });
  }
};

/** Built-in tools left out of a translated request are named in a header (and the log), since
 * clients send them by default and the model then answers without them. */
const warningHeaders = (headers: Record<string, string>, leftOut: readonly string[]): Record<string, string> =>
  leftOut.length === 0 ? headers : { ...headers, 'x-modapi-warning': `tools left out (the provider cannot run them): ${leftOut.join(', ').slice(0, 500)}` };

/** The request as the neutral chat request, made once, when a translated model first needs it. */
const translationOf = (gateway: GatewayContext, state: ResponsesState, body: ResponsesRequest, owner: string, stream: boolean): (() => DecodedResponsesRequest) => {
  let decoded: DecodedResponsesRequest | undefined;
  return () => {
    if (decoded) return decoded;
    decoded = toChatRequest(body, historyOf(state, body, owner), inputContextOf(state, owner), stream);
    if (decoded.leftOutTools.length > 0) gateway.log.warn(`responses: tools left out of a translated request: ${decoded.leftOutTools.join(', ').slice(0, 500)}`);
    return decoded;
  };
};

/** POST /v1/responses: OpenAI's Responses API in front of every model, relayed to a provider that
 * serves it (relay-responses.ts), else translated to the neutral chat request, with the configured
 * fallbacks. Errors leave in OpenAI's shape through the mount's error exit, or as the stream's
 * `error` and `response.failed` events. */
export const createResponse = (gateway: GatewayContext, state: ResponsesState) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, RESPONSES_ENDPOINT);
  const body = checkResponsesRequest(await readJsonBody(request, gateway.limits.jsonBytes));
  const owner = requesterOf(response).name;
  const stream = body.stream === true;
  const translation = translationOf(gateway, state, body, owner, stream);
  // Bad input for a translated model is refused before admission: nothing goes upstream, nothing
  // is reserved. A relayed request is the upstream's to judge.
  if (!relaysResponses(resolveModel(gateway, body.model).provider)) translation();
  tracker.attribute(responsesAttribution(body));
  const call = await beginModelCall(gateway, tracker, body.model, stream);
  const stored = body.store !== false && state.store !== undefined;
  await serveWithFallbacks(gateway, tracker, response, call.resolved, (served) => {
    if (!relaysResponses(served.provider)) return serveWith(served, { gateway, state, response, tracker, body, decoded: translation(), stream, stored, owner });
    gateway.registry.requireKey(served.provider);
    return relayResponses({ body, resolved: served, response, tracker, servedHeaders: servedHeaders(served), state, owner, redact: call.redact });
  });
};

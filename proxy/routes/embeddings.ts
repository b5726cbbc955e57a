import type { Request, Response } from 'express';
import type { EmbeddingRequest } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { openAIAttribution } from '../dialects/openai-chat/attribution.js';
import { trackRequest } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayToOpenAI } from './relay.js';
import { embeddingsSchema, validate } from './validation.js';
import { servedHeaders } from './served-headers.js';
import { callEndpoint } from '../usage/call-endpoint.js';

const EMBEDDINGS_ENDPOINT = callEndpoint('/v1/embeddings', 'embeddings');

type EmbeddingUsage = { usage?: { prompt_tokens?: number } };

/** POST /v1/embeddings (float and base64). */
export const embeddings = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, EMBEDDINGS_ENDPOINT);
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(embeddingsSchema, body);
  tracker.attribute(openAIAttribution(body));
  const call = await beginModelCall(gateway, tracker, body.model);
  const observe = (answer: unknown) => tracker.usage({ promptTokens: (answer as EmbeddingUsage).usage?.prompt_tokens ?? 0, completionTokens: 0 });
  if (call.adapter.relays.has('openai-endpoints')) {
    await relayToOpenAI({ ...call, response, tracker, path: '/embeddings', body: JSON.stringify({ ...body, model: call.resolved.upstreamModel }), contentType: 'application/json', observeJson: observe });
    return;
  }
  if (!call.adapter.embed) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no embeddings.`, 'model', 'unsupported_endpoint');
  const answer = await call.adapter.embed(body as unknown as EmbeddingRequest, call.context);
  observe(answer);
  response.set(servedHeaders(call.resolved)).json({ ...answer, model: call.resolved.requestedModel });
};

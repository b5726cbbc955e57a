import type { Request, Response } from 'express';
import { GatewayError } from '../../errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { readJsonBody } from '../../server/read-body.js';
import { beginModelCall } from '../../pipeline/begin-call.js';
import { trackRequest } from '../../usage/request-tracker.js';
import { servedHeaders } from '../served-headers.js';
import { validate } from '../validation.js';
import { batchEmbedContentsSchema, embedContentSchema } from '../../dialects/gemini/request-schema.js';
import type { GeminiPart } from '../../dialects/gemini/wire-types.js';
import { forwardGeminiJson } from './forward-json.js';
import { callEndpoint } from '../../usage/call-endpoint.js';
import { GEMINI_METHODS, methodEndpoint } from '../../dialects/gemini/api.js';

interface EmbedRequest {
  model?: string;
  content: { parts: GeminiPart[] };
  outputDimensionality?: number;
  [extra: string]: unknown;
}

type EmbedBody = EmbedRequest | { requests: EmbedRequest[] };

const isBatch = (body: EmbedBody): body is { requests: EmbedRequest[] } => 'requests' in body;

const textOf = (request: EmbedRequest, position: number): string => {
  const parts = request.content.parts;
  if (parts.some((part) => typeof part.text !== 'string')) throw GatewayError.invalidRequest('Only text parts can be embedded by this model.', `requests[${position}].content.parts`, 'unsupported_input');
  return parts.map((part) => part.text).join('\n');
};

const EMBED_ENDPOINT = callEndpoint(methodEndpoint(GEMINI_METHODS.embed), 'embeddings');
const BATCH_EMBED_ENDPOINT = callEndpoint(methodEndpoint(GEMINI_METHODS.batchEmbed), 'embeddings');

/** Each request of a batch names its model; on the upstream it must be the upstream's. */
const withUpstreamModel = (body: EmbedBody, upstreamModel: string): EmbedBody => {
  const model = `models/${upstreamModel}`;
  return isBatch(body) ? { ...body, requests: body.requests.map((request) => ({ ...request, model })) } : body.model ? { ...body, model } : body;
};

/** POST .../models/{model}:embedContent and :batchEmbedContents: relayed to a Gemini upstream,
 * through the adapter's embeddings (OpenAI's) for every other. */
export const embedContent = (gateway: GatewayContext, batch: boolean) => async (request: Request, response: Response, model: string) => {
  const tracker = trackRequest(gateway, request, response, batch ? BATCH_EMBED_ENDPOINT : EMBED_ENDPOINT);
  const body = (await readJsonBody(request, gateway.limits.jsonBytes)) as EmbedBody;
  if (batch) validate(batchEmbedContentsSchema, body);
  else validate(embedContentSchema, body);
  const call = await beginModelCall(gateway, tracker, model);
  const requests = isBatch(body) ? body.requests : [body];
  if (call.adapter.relays.has('gemini-generate')) {
    const text = await forwardGeminiJson(call.resolved, batch ? GEMINI_METHODS.batchEmbed : GEMINI_METHODS.embed, withUpstreamModel(body, call.resolved.upstreamModel), response, servedHeaders(call.resolved));
    const usage = (JSON.parse(text) as { usageMetadata?: { promptTokenCount?: number } }).usageMetadata;
    tracker.usage({ promptTokens: usage?.promptTokenCount ?? 0, completionTokens: 0 });
    return;
  }
  if (!call.adapter.embed) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no embeddings.`, 'model', 'unsupported_endpoint');
  const dimensions = requests[0]?.outputDimensionality;
  const answer = await call.adapter.embed({ model: call.resolved.upstreamModel, input: requests.map(textOf), ...(typeof dimensions === 'number' ? { dimensions } : {}) }, call.context);
  tracker.usage({ promptTokens: answer.usage.prompt_tokens, completionTokens: 0 });
  const embeddings = answer.data.map((item) => ({ values: item.embedding as number[] }));
  response.set(servedHeaders(call.resolved)).json(batch ? { embeddings } : { embedding: embeddings[0] });
};

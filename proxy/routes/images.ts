import type { Request, Response } from 'express';
import type { ImageGenerationRequest } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody } from '../server/read-multipart.js';
import { openAIAttribution } from '../dialects/openai-chat/attribution.js';
import { trackRequest } from '../usage/request-tracker.js';
import { IMAGE_EDIT_ENDPOINT, IMAGE_ENDPOINT, observeImageEvent, observeImages, requestImages } from '../core/generate-image.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayAnswer, relayToOpenAI } from './relay.js';
import { servedHeaders } from './served-headers.js';
import { modelOnlySchema, validate } from './validation.js';

/** POST /v1/images/generations: the same call as the chat view's (core/generate-image.ts); an
 * OpenAI-dialect upstream's answer is relayed as it is. */
export const imageGenerations = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, IMAGE_ENDPOINT);
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(modelOnlySchema, body);
  tracker.attribute(openAIAttribution(body));
  const call = await beginModelCall(gateway, tracker, body.model, body.stream === true);
  const answer = await requestImages(call, body as ImageGenerationRequest);
  if ('upstream' in answer) return relayAnswer(answer.upstream, { ...call, response, observeJson: (json) => observeImages(tracker, json), observeEvent: (event) => observeImageEvent(tracker, event) });
  response.set(servedHeaders(call.resolved)).json(answer.images);
};

/** POST /v1/images/edits (multipart). */
export const imageEdits = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, IMAGE_EDIT_ENDPOINT);
  const upload = await readMultipart(request, gateway.limits.uploadBytes);
  const call = await beginModelCall(gateway, tracker, multipartField(upload, 'model') ?? '');
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no image edits.`, 'model', 'unsupported_endpoint');
  await relayToOpenAI({ ...call, response, tracker, path: '/images/edits', ...uploadBody(upload, { model: call.resolved.upstreamModel }), observeJson: (json) => observeImages(tracker, json), observeEvent: (event) => observeImageEvent(tracker, event) });
};

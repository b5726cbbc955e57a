import type { Request, Response } from 'express';
import type { ImageGenerationRequest } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { readJsonBody } from '../server/read-body.js';
import { multipartField, readMultipart, uploadBody } from '../server/read-multipart.js';
import { trackRequest, type RequestTracker } from '../usage/request-tracker.js';
import { beginModelCall } from '../pipeline/begin-call.js';
import { relayToOpenAI } from './relay.js';
import { servedHeaders } from './served-headers.js';
import { modelOnlySchema, validate } from './validation.js';

interface ImageAnswer {
  data?: unknown[];
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

const observeImages = (tracker: RequestTracker) => (answer: unknown) => {
  const image = answer as ImageAnswer;
  tracker.observation.images = Array.isArray(image.data) ? image.data.length : 0;
  if (image.usage) tracker.usage({ promptTokens: image.usage.input_tokens ?? 0, completionTokens: image.usage.output_tokens ?? 0 });
};

/** POST /v1/images/generations */
export const imageGenerations = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, '/v1/images/generations');
  const body = await readJsonBody(request, gateway.limits.jsonBytes);
  validate(modelOnlySchema, body);
  const call = beginModelCall(gateway, response, tracker, body.model, body.stream === true);
  if (call.adapter.relays.has('openai-endpoints')) {
    await relayToOpenAI({ ...call, response, tracker, path: '/images/generations', body: JSON.stringify({ ...body, model: call.resolved.upstreamModel }), contentType: 'application/json', observeJson: observeImages(tracker) });
    return;
  }
  if (!call.adapter.generateImage) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no image generation.`, 'model', 'unsupported_endpoint');
  const answer = await call.adapter.generateImage(body as ImageGenerationRequest, call.context);
  observeImages(tracker)(answer);
  response.set(servedHeaders(call.resolved)).json(answer);
};

/** POST /v1/images/edits (multipart). */
export const imageEdits = (gateway: GatewayContext) => async (request: Request, response: Response) => {
  const tracker = trackRequest(gateway, request, response, '/v1/images/edits');
  const upload = await readMultipart(request, gateway.limits.uploadBytes);
  const call = beginModelCall(gateway, response, tracker, multipartField(upload, 'model') ?? '');
  if (!call.adapter.relays.has('openai-endpoints')) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no image edits.`, 'model', 'unsupported_endpoint');
  await relayToOpenAI({ ...call, response, tracker, path: '/images/edits', ...uploadBody(upload, { model: call.resolved.upstreamModel }), observeJson: observeImages(tracker) });
};

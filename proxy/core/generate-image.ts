import type { ImageGenerationRequest, ImageGenerationResponse } from '../adapters/types.js';
import { forwardToOpenAI } from '../adapters/openai-compatible/forward.js';
import { GatewayError } from '../errors.js';
import { beginInProcessCall, finishFailed, type InProcessOptions, type ModelCall } from '../pipeline/begin-call.js';
import type { GatewayContext } from '../server/gateway-context.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { RequestTracker } from '../usage/request-tracker.js';
import { callEndpoint } from '../usage/call-endpoint.js';

export const IMAGE_ENDPOINT = callEndpoint('/v1/images/generations', 'generate_content');
export const IMAGE_EDIT_ENDPOINT = callEndpoint('/v1/images/edits', 'generate_content');

export interface GeneratedImages {
  images: { b64Json?: string; url?: string; revisedPrompt?: string }[];
  requestId: string;
}

/** What an image answer costs: images counted, token usage kept when the upstream reports it. */
export const observeImages = (tracker: RequestTracker, answer: unknown): void => {
  const image = answer as { data?: unknown[]; usage?: { input_tokens?: number; output_tokens?: number } };
  tracker.observation.images = Array.isArray(image.data) ? image.data.length : 0;
  if (image.usage) tracker.usage({ promptTokens: image.usage.input_tokens ?? 0, completionTokens: image.usage.output_tokens ?? 0 });
};

/** A streamed generation's or edit's events (gpt-image-1 with `stream`): each `*.completed` is one
 * image, with its usage. */
export const observeImageEvent = (tracker: RequestTracker, event: unknown): void => {
  const completed = event as { type?: unknown; usage?: { input_tokens?: number; output_tokens?: number } };
  if (completed.type !== 'image_generation.completed' && completed.type !== 'image_edit.completed') return;
  tracker.observation.images = (tracker.observation.images ?? 0) + 1;
  const before = tracker.observation.usage;
  if (completed.usage) tracker.usage({ promptTokens: (before?.promptTokens ?? 0) + (completed.usage.input_tokens ?? 0), completionTokens: (before?.completionTokens ?? 0) + (completed.usage.output_tokens ?? 0) });
};

/** An image generation's answer: an OpenAI-dialect upstream's own (to relay or read), or the
 * images a native adapter made. */
export type ImagesAnswer = { upstream: UpstreamResponse } | { images: ImageGenerationResponse };

/** `POST /v1/images/generations` for an admitted call, for the HTTP route and the chat view alike. */
export const requestImages = async (call: ModelCall, body: ImageGenerationRequest): Promise<ImagesAnswer> => {
  if (call.adapter.relays.has('openai-endpoints')) {
    const upstream = await forwardToOpenAI(call.resolved.provider, { path: '/images/generations', body: JSON.stringify(Object.assign({}, body, { model: call.resolved.upstreamModel })), contentType: 'application/json', signal: call.client.clientGoneSignal() });
    return { upstream };
  }
  if (!call.adapter.generateImage) throw GatewayError.invalidRequest(`Provider "${call.resolved.provider.id}" offers no image generation.`, 'model', 'unsupported_endpoint');
  const images = await call.adapter.generateImage(body, call.context);
  observeImages(call.tracker, images);
  return { images };
};

/** The in-process sink: the images, always asked for as base64 so the view never loads a remote URL. */
export const generateImage = async (gateway: GatewayContext, request: ImageGenerationRequest, options: InProcessOptions): Promise<GeneratedImages> => {
  const call = await beginInProcessCall(gateway, IMAGE_ENDPOINT, request.model, options);
  let answer: ImageGenerationResponse;
  try {
    const result = await requestImages(call, { response_format: 'b64_json', ...request });
    if ('images' in result) answer = result.images;
    else {
      answer = (await result.upstream.body.json().catch(() => {
        throw GatewayError.badUpstreamBody(call.resolved.provider.id, 'a body that is not JSON');
      })) as ImageGenerationResponse;
      observeImages(call.tracker, answer);
    }
  } catch (error) {
    throw finishFailed(call.tracker, error);
  }
  call.tracker.firstToken();
  call.tracker.finish(200);
  const data = Array.isArray(answer.data) ? answer.data : [];
  return { images: data.map((image) => ({ b64Json: image.b64_json, url: image.url, revisedPrompt: image.revised_prompt })), requestId: call.tracker.requestId };
};

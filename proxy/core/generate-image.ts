import type { ImageGenerationRequest, ImageGenerationResponse } from '../adapters/types.js';
import { GatewayError } from '../errors.js';
import type { GatewayContext } from '../server/gateway-context.js';
import { beginInProcessCall, finishFailed, type InProcessOptions } from './model-call.js';

export interface GeneratedImages {
  images: { b64Json?: string; url?: string; revisedPrompt?: string }[];
  requestId: string;
}

/** `POST /v1/images/generations` in-process, with its ledger record (images counted, token usage
 * kept when the upstream reports it). Always asks for base64, so the view never loads a remote URL. */
export const generateImage = async (gateway: GatewayContext, request: ImageGenerationRequest, options: InProcessOptions): Promise<GeneratedImages> => {
  const { tracker, adapter, context, resolved } = await beginInProcessCall(gateway, '/v1/images/generations', request.model, options);
  let answer: ImageGenerationResponse;
  try {
    if (!adapter.generateImage) throw GatewayError.invalidRequest(`Provider "${resolved.provider.id}" offers no image generation.`, 'model', 'unsupported_endpoint');
    answer = await adapter.generateImage({ response_format: 'b64_json', ...request }, context);
  } catch (error) {
    throw finishFailed(tracker, error);
  }
  tracker.firstToken();
  const data = Array.isArray(answer.data) ? answer.data : [];
  tracker.observation.images = data.length;
  const usage = answer.usage as { input_tokens?: number; output_tokens?: number } | undefined;
  if (usage) tracker.usage({ promptTokens: usage.input_tokens ?? 0, completionTokens: usage.output_tokens ?? 0 });
  tracker.finish(200);
  return { images: data.map((image) => ({ b64Json: image.b64_json, url: image.url, revisedPrompt: image.revised_prompt })), requestId: tracker.requestId };
};

import { GatewayError } from '../../errors.js';
import type { AdapterContext, ImageGenerationRequest, ImageGenerationResponse } from '../types.js';
import { GEMINI_METHODS, modelPath } from '../../dialects/gemini/api.js';
import { callGemini, readGeminiJson } from './send.js';
import type { GeminiResponse } from '../../dialects/gemini/wire-types.js';

const ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'];

/** OpenAI's `size` (`1536x1024`) as the nearest aspect ratio Gemini and Imagen accept. */
export const aspectRatioFromSize = (size: string | undefined): string | undefined => {
  const match = /^(\d+)x(\d+)$/.exec(size ?? '');
  if (!match) return undefined;
  const wanted = Number(match[1]) / Number(match[2]);
  if (!Number.isFinite(wanted) || wanted <= 0) return undefined;
  const distance = (ratio: string) => {
    const [width, height] = ratio.split(':').map(Number) as [number, number];
    return Math.abs(Math.log(width / height / wanted));
  };
  return ASPECT_RATIOS.reduce((best, ratio) => (distance(ratio) < distance(best) ? ratio : best));
};

type ImageItem = ImageGenerationResponse['data'][number];

const imageItem = (mimeType: string, data: string, asUrl: boolean): ImageItem => (asUrl ? { url: `data:${mimeType};base64,${data}` } : { b64_json: data });

const noImage = (providerId: string, why: string): GatewayError =>
  new GatewayError(400, `The upstream provider "${providerId}" returned no image: ${why}.`, { type: 'invalid_request_error', code: 'content_filter' });

/** Imagen models: POST :predict. */
const generateWithImagen = async (request: ImageGenerationRequest, context: AdapterContext): Promise<ImageGenerationResponse> => {
  const aspectRatio = aspectRatioFromSize(request.size);
  const response = await callGemini(context.provider, {
    path: modelPath(context.upstreamModel, GEMINI_METHODS.predict),
    body: { instances: [{ prompt: request.prompt }], parameters: { sampleCount: request.n ?? 1, ...(aspectRatio ? { aspectRatio } : {}) } },
    signal: context.client.clientGoneSignal(),
  });
  const body = await readGeminiJson<{ predictions?: { bytesBase64Encoded?: string; mimeType?: string; raiFilteredReason?: string }[] }>(response, context.provider.id);
  const predictions = body.predictions ?? [];
  const images = predictions.filter((prediction) => prediction.bytesBase64Encoded);
  if (images.length === 0) throw noImage(context.provider.id, predictions.find((prediction) => prediction.raiFilteredReason)?.raiFilteredReason ?? 'the prompt may have been filtered');
  return {
    created: Math.floor(Date.now() / 1000),
    data: images.map((image) => imageItem(image.mimeType ?? 'image/png', image.bytesBase64Encoded as string, request.response_format === 'url')),
  };
};

/** The images of generateContent answers, with the model's words as revised_prompt and the
 * usage added up (each answer is a separate call). */
const imagesFromAnswers = (answers: GeminiResponse[], asUrl: boolean): { data: ImageItem[]; inputTokens: number; outputTokens: number } => {
  const data: ImageItem[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  for (const answer of answers) {
    const parts = answer.candidates?.flatMap((candidate) => candidate.content?.parts ?? []) ?? [];
    const text = parts.filter((part) => part.text && !part.thought).map((part) => part.text).join('');
    for (const part of parts) {
      if (part.inlineData?.data) data.push({ ...imageItem(part.inlineData.mimeType, part.inlineData.data, asUrl), ...(text ? { revised_prompt: text } : {}) });
    }
    inputTokens += answer.usageMetadata?.promptTokenCount ?? 0;
    outputTokens += (answer.usageMetadata?.candidatesTokenCount ?? 0) + (answer.usageMetadata?.thoughtsTokenCount ?? 0);
  }
  return { data, inputTokens, outputTokens };
};

/** Gemini image models (gemini-*-image): generateContent asking for an image; n images take n
 * calls, since these models answer one candidate. */
const generateWithGemini = async (request: ImageGenerationRequest, context: AdapterContext): Promise<ImageGenerationResponse> => {
  const aspectRatio = aspectRatioFromSize(request.size);
  // The 2.0 preview image model refuses an image-only answer.
  const responseModalities = /gemini-2\.0/.test(context.upstreamModel) ? ['TEXT', 'IMAGE'] : ['IMAGE'];
  const body = {
    contents: [{ role: 'user', parts: [{ text: request.prompt }] }],
    generationConfig: { responseModalities, ...(aspectRatio ? { imageConfig: { aspectRatio } } : {}) },
  };
  const calls = Array.from({ length: Math.max(1, Math.min(request.n ?? 1, 10)) }, async () => {
    const response = await callGemini(context.provider, { path: modelPath(context.upstreamModel, GEMINI_METHODS.generate), body, signal: context.client.clientGoneSignal() });
    return readGeminiJson<GeminiResponse>(response, context.provider.id);
  });
  const answers = await Promise.all(calls);
  const { data, inputTokens, outputTokens } = imagesFromAnswers(answers, request.response_format === 'url');
  if (data.length === 0) {
    const reason = answers[0]?.promptFeedback?.blockReason ?? answers[0]?.candidates?.[0]?.finishReason ?? 'no image part in the answer';
    throw noImage(context.provider.id, reason);
  }
  return { created: Math.floor(Date.now() / 1000), data, usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens } };
};

export const geminiGenerateImage = (request: ImageGenerationRequest, context: AdapterContext): Promise<ImageGenerationResponse> =>
  context.upstreamModel.startsWith('imagen') ? generateWithImagen(request, context) : generateWithGemini(request, context);

import { GatewayError } from '../../errors.js';
import type { AdapterContext, EmbeddingRequest, EmbeddingResponse } from '../types.js';
import { GEMINI_METHODS, modelPath } from '../../dialects/gemini/api.js';
import { callGemini, readGeminiJson } from './send.js';

interface BatchEmbedResponse {
  embeddings?: { values?: number[] }[];
  usageMetadata?: { promptTokenCount?: number; totalTokenCount?: number };
}

/** OpenAI's input as texts; token arrays mean nothing to Gemini. */
const inputTexts = (input: EmbeddingRequest['input']): string[] => {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
  throw GatewayError.invalidRequest('Gemini embeds text only; token arrays are not supported as input.', 'input', 'unsupported_input');
};

/** A vector as OpenAI's base64 form: little-endian float32 bytes. */
export const toBase64Floats = (values: number[]): string => {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
};

/** POST :batchEmbedContents, one request per input, as an OpenAI embeddings list. */
export const geminiEmbed = async (request: EmbeddingRequest, context: AdapterContext): Promise<EmbeddingResponse> => {
  const texts = inputTexts(request.input);
  const model = `models/${context.upstreamModel.replace(/^models\//, '')}`;
  const response = await callGemini(context.provider, {
    path: modelPath(context.upstreamModel, GEMINI_METHODS.batchEmbed),
    body: {
      requests: texts.map((text) => ({
        model,
        content: { parts: [{ text }] },
        ...(typeof request.dimensions === 'number' ? { outputDimensionality: request.dimensions } : {}),
      })),
    },
    signal: context.client.clientGoneSignal(),
  });
  const body = await readGeminiJson<BatchEmbedResponse>(response, context.provider.id);
  const vectors = (body.embeddings ?? []).map((embedding) => embedding.values ?? []);
  if (vectors.length !== texts.length) {
    throw new GatewayError(502, `The upstream provider "${context.provider.id}" returned ${vectors.length} embeddings for ${texts.length} inputs.`, { type: 'upstream_error', code: 'bad_upstream_response' });
  }
  // Gemini reports no token count for embeddings on most models; 0 says "unknown" in the ledger.
  const promptTokens = body.usageMetadata?.promptTokenCount ?? 0;
  return {
    object: 'list',
    data: vectors.map((values, index) => ({ object: 'embedding', index, embedding: request.encoding_format === 'base64' ? toBase64Floats(values) : values })),
    model: context.upstreamModel,
    usage: { prompt_tokens: promptTokens, total_tokens: body.usageMetadata?.totalTokenCount ?? promptTokens },
  };
};

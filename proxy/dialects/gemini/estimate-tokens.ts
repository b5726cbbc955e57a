import type { GeminiClientRequest, GeminiPart } from './wire-types.js';

/** About four characters a token for English text and code with the common tokenizers. */
const CHARACTERS_PER_TOKEN = 4;
/** Gemini counts an image up to 384 pixels a side as 258 tokens; larger ones are tiled. Each image
 * counts as one tile here. */
const TOKENS_PER_IMAGE = 258;

const partCharacters = (part: GeminiPart): number => {
  if (typeof part.text === 'string') return part.text.length;
  if (part.functionCall) return JSON.stringify(part.functionCall).length;
  if (part.functionResponse) return JSON.stringify(part.functionResponse).length;
  return 0;
};

/** An ESTIMATE of a request's input tokens for countTokens on a model Gemini does not serve: from
 * the characters of its contents, system instruction and tools. Not for billing. */
export const estimateGeminiTokens = (request: Partial<Pick<GeminiClientRequest, 'contents' | 'systemInstruction' | 'tools'>>): number => {
  let characters = 0;
  let images = 0;
  const system = request.systemInstruction;
  const parts = [...(request.contents ?? []).flatMap((content) => content.parts ?? []), ...(typeof system === 'string' ? [{ text: system }] : (system?.parts ?? []))];
  for (const part of parts) {
    characters += partCharacters(part);
    if (part.inlineData || part.fileData) images += 1;
  }
  if (request.tools) characters += JSON.stringify(request.tools).length;
  return Math.ceil(characters / CHARACTERS_PER_TOKEN) + images * TOKENS_PER_IMAGE;
};

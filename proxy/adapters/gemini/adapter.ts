import type { ProviderAdapter } from '../types.js';
import { geminiChat } from './chat.js';
import { geminiEmbed } from './embeddings.js';
import { geminiGenerateImage } from './image-generation.js';
import { listGeminiModels } from './list-models.js';

/** Google Gemini (generativelanguage API, v1beta): `gemini/*` models. */
export const geminiAdapter: ProviderAdapter = {
  dialect: 'gemini',
  relays: new Set(['gemini-generate']),
  listModels: listGeminiModels,
  chat: geminiChat,
  embed: geminiEmbed,
  generateImage: geminiGenerateImage,
};

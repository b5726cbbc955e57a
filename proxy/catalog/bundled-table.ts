import type { Modality } from '../adapters/types.js';

/** Prices in USD: per 1M tokens for `input`, `output`, `cachedInput`, `cacheWrite`; per image;
 * per second of audio or video; per 1M characters of speech input. */
export interface ModelPrice {
  input?: number;
  output?: number;
  cachedInput?: number;
  cacheWrite?: number;
  reasoning?: number;
  perImage?: number;
  perSecond?: number;
  perMillionCharacters?: number;
}

export interface ModelMetadata {
  /** Upstream model id, without a provider prefix. */
  id: string;
  name: string;
  modalities: Modality[];
  contextWindow?: number;
  maxOutputTokens?: number;
  price?: ModelPrice;
}

/** Where the bundled prices come from, and when they were read. Shown with every catalog cost. */
export const PRICE_TABLE_SOURCE = { source: "vendors' public pricing pages (OpenAI, Anthropic, Google, DeepSeek, xAI)", date: '2025-10-01' } as const;

const chat = (id: string, name: string, contextWindow: number, maxOutputTokens: number, price: ModelPrice, vision = true): ModelMetadata => ({
  id,
  name,
  modalities: vision ? ['text', 'vision'] : ['text'],
  contextWindow,
  maxOutputTokens,
  price,
});

/** The bundled metadata table: modalities, context windows and prices the live lists lack. */
export const BUNDLED_MODELS: readonly ModelMetadata[] = [
  chat('gpt-5', 'GPT-5', 400_000, 128_000, { input: 1.25, output: 10, cachedInput: 0.125 }),
  chat('gpt-5-mini', 'GPT-5 mini', 400_000, 128_000, { input: 0.25, output: 2, cachedInput: 0.025 }),
  chat('gpt-5-nano', 'GPT-5 nano', 400_000, 128_000, { input: 0.05, output: 0.4, cachedInput: 0.005 }),
  chat('gpt-4.1', 'GPT-4.1', 1_047_576, 32_768, { input: 2, output: 8, cachedInput: 0.5 }),
  chat('gpt-4.1-mini', 'GPT-4.1 mini', 1_047_576, 32_768, { input: 0.4, output: 1.6, cachedInput: 0.1 }),
  chat('gpt-4.1-nano', 'GPT-4.1 nano', 1_047_576, 32_768, { input: 0.1, output: 0.4, cachedInput: 0.025 }),
  chat('gpt-4o', 'GPT-4o', 128_000, 16_384, { input: 2.5, output: 10, cachedInput: 1.25 }),
  chat('gpt-4o-mini', 'GPT-4o mini', 128_000, 16_384, { input: 0.15, output: 0.6, cachedInput: 0.075 }),
  chat('o3', 'o3', 200_000, 100_000, { input: 2, output: 8, cachedInput: 0.5 }),
  chat('o4-mini', 'o4-mini', 200_000, 100_000, { input: 1.1, output: 4.4, cachedInput: 0.275 }),
  chat('claude-opus-4-5', 'Claude Opus 4.5', 200_000, 64_000, { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 }),
  chat('claude-opus-4-1', 'Claude Opus 4.1', 200_000, 32_000, { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 }),
  chat('claude-sonnet-4-5', 'Claude Sonnet 4.5', 200_000, 64_000, { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 }),
  chat('claude-sonnet-4-0', 'Claude Sonnet 4', 200_000, 64_000, { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 }),
  chat('claude-haiku-4-5', 'Claude Haiku 4.5', 200_000, 64_000, { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 }),
  chat('claude-3-5-haiku-latest', 'Claude Haiku 3.5', 200_000, 8_192, { input: 0.8, output: 4, cachedInput: 0.08, cacheWrite: 1 }),
  chat('gemini-2.5-pro', 'Gemini 2.5 Pro', 1_048_576, 65_536, { input: 1.25, output: 10, cachedInput: 0.31 }),
  chat('gemini-2.5-flash', 'Gemini 2.5 Flash', 1_048_576, 65_536, { input: 0.3, output: 2.5, cachedInput: 0.075 }),
  chat('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 1_048_576, 65_536, { input: 0.1, output: 0.4, cachedInput: 0.025 }),
  chat('gemini-2.0-flash', 'Gemini 2.0 Flash', 1_048_576, 8_192, { input: 0.1, output: 0.4, cachedInput: 0.025 }),
  chat('gemini-3-pro-preview', 'Gemini 3 Pro (preview)', 1_048_576, 65_536, { input: 2, output: 12, cachedInput: 0.2 }),
  chat('deepseek-chat', 'DeepSeek V3', 128_000, 8_192, { input: 0.27, output: 1.1, cachedInput: 0.07 }, false),
  chat('deepseek-reasoner', 'DeepSeek R1', 128_000, 65_536, { input: 0.55, output: 2.19, cachedInput: 0.14 }, false),
  chat('grok-4', 'Grok 4', 256_000, 64_000, { input: 3, output: 15, cachedInput: 0.75 }),
  chat('grok-3-mini', 'Grok 3 mini', 131_072, 32_000, { input: 0.3, output: 0.5, cachedInput: 0.075 }, false),
  chat('mistral-large-latest', 'Mistral Large', 128_000, 32_000, { input: 2, output: 6 }, false),
  chat('qwen-plus', 'Qwen Plus', 131_072, 16_384, { input: 0.4, output: 1.2 }, false),
  { id: 'text-embedding-3-small', name: 'Text Embedding 3 small', modalities: ['embedding'], contextWindow: 8_191, price: { input: 0.02 } },
  { id: 'text-embedding-3-large', name: 'Text Embedding 3 large', modalities: ['embedding'], contextWindow: 8_191, price: { input: 0.13 } },
  { id: 'gemini-embedding-001', name: 'Gemini Embedding', modalities: ['embedding'], contextWindow: 2_048, price: { input: 0.15 } },
  { id: 'dall-e-3', name: 'DALL·E 3', modalities: ['image'], price: { perImage: 0.04 } },
  { id: 'gpt-image-1', name: 'GPT Image 1', modalities: ['image'], price: { input: 5, output: 40, perImage: 0.042 } },
  { id: 'gemini-2.5-flash-image', name: 'Gemini 2.5 Flash Image', modalities: ['image'], price: { input: 0.3, perImage: 0.039 } },
  { id: 'imagen-4.0-generate-001', name: 'Imagen 4', modalities: ['image'], price: { perImage: 0.04 } },
  { id: 'tts-1', name: 'TTS 1', modalities: ['audio-speech'], price: { perMillionCharacters: 15 } },
  { id: 'tts-1-hd', name: 'TTS 1 HD', modalities: ['audio-speech'], price: { perMillionCharacters: 30 } },
  { id: 'gpt-4o-mini-tts', name: 'GPT-4o mini TTS', modalities: ['audio-speech'], price: { input: 0.6, perMillionCharacters: 15 } },
  { id: 'whisper-1', name: 'Whisper', modalities: ['audio-transcription'], price: { perSecond: 0.0001 } },
  { id: 'gpt-4o-transcribe', name: 'GPT-4o Transcribe', modalities: ['audio-transcription'], price: { input: 2.5, output: 10, perSecond: 0.0001 } },
  { id: 'gpt-4o-mini-transcribe', name: 'GPT-4o mini Transcribe', modalities: ['audio-transcription'], price: { input: 1.25, output: 5, perSecond: 0.00005 } },
  { id: 'sora-2', name: 'Sora 2', modalities: ['video'], price: { perSecond: 0.1 } },
  { id: 'sora-2-pro', name: 'Sora 2 Pro', modalities: ['video'], price: { perSecond: 0.3 } },
];

const byId = new Map(BUNDLED_MODELS.map((model) => [model.id, model]));

/** Metadata for an upstream id; dated ids (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`)
 * fall back to their undated family, and that to Anthropic's aliases of it (`claude-sonnet-4-0`,
 * `claude-3-5-haiku-latest`): without a price, a request reserves the worst case against budgets. */
export const findBundledModel = (upstreamId: string): ModelMetadata | undefined => {
  const exact = byId.get(upstreamId);
  if (exact) return exact;
  const undated = upstreamId.replace(/-(\d{8}|\d{4}-\d{2}-\d{2})$/, '').replace(/-latest$/, '');
  return byId.get(undated) ?? byId.get(`${undated}-0`) ?? byId.get(`${undated}-latest`);
};

/** Modalities guessed from an id, when neither the provider nor the table says. */
export const modalitiesFromId = (id: string): Modality[] => {
  const lower = id.toLowerCase();
  if (/embed/.test(lower)) return ['embedding'];
  if (/whisper|transcribe/.test(lower)) return ['audio-transcription'];
  if (/tts|speech/.test(lower)) return ['audio-speech'];
  if (/dall-e|image|imagen|flux|stable-diffusion|sdxl/.test(lower)) return ['image'];
  if (/sora|veo|video|kling|wan-/.test(lower)) return ['video'];
  if (/vision|gpt-4o|gpt-4\.1|gpt-5|claude|gemini|llava|-vl/.test(lower)) return ['text', 'vision'];
  return ['text'];
};

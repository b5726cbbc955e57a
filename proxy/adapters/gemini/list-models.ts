import type { ProviderConfig } from '../../providers/types.js';
import type { CatalogModel, Modality } from '../types.js';
import { callGemini, readGeminiJson } from './send.js';
import { GEMINI_METHODS } from '../../dialects/gemini/api.js';

interface GeminiModel {
  name: string;
  displayName?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
}

interface GeminiModelPage {
  models?: GeminiModel[];
  nextPageToken?: string;
}

const MAX_PAGES = 10;

/** What a model does, from the methods it supports and, where those say too little, its id. */
export const modalitiesFromMethods = (id: string, methods: string[]): Modality[] => {
  if (methods.includes(GEMINI_METHODS.embed) || methods.includes(GEMINI_METHODS.batchEmbed)) return ['embedding'];
  if (methods.includes('predictLongRunning')) return ['video'];
  if (methods.includes('predict')) return ['image'];
  if (!methods.includes(GEMINI_METHODS.generate)) return [];
  if (/-image(-|$)/.test(id)) return ['image', 'text', 'vision'];
  if (/-tts(-|$)/.test(id)) return ['audio-speech'];
  return id.startsWith('gemini') ? ['text', 'vision'] : ['text'];
};

export const toCatalogModel = (provider: ProviderConfig, model: GeminiModel): CatalogModel => {
  const id = model.name.replace(/^models\//, '');
  return {
    id,
    provider: provider.id,
    upstreamId: id,
    ownedBy: 'google',
    name: model.displayName,
    contextWindow: model.inputTokenLimit,
    maxOutputTokens: model.outputTokenLimit,
    modalities: modalitiesFromMethods(id, model.supportedGenerationMethods ?? []),
  };
};

/** GET /v1beta/models, every page. */
export const listGeminiModels = async (provider: ProviderConfig, signal: AbortSignal): Promise<CatalogModel[]> => {
  const models: CatalogModel[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = `?pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`;
    const response = await callGemini(provider, { method: 'GET', path: `/v1beta/models${query}`, signal });
    const body = await readGeminiJson<GeminiModelPage>(response, provider.id);
    for (const model of body.models ?? []) if (model?.name) models.push(toCatalogModel(provider, model));
    pageToken = body.nextPageToken;
    if (!pageToken) break;
  }
  return models;
};

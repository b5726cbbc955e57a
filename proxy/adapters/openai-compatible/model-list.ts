import type { CatalogModel, Modality } from '../types.js';

/** One entry of an OpenAI-style `GET /models` list, with the extra metadata some hosts add
 * (OpenRouter: name, context_length, architecture, top_provider). */
export interface ListedModel {
  id: string;
  owned_by?: string;
  name?: string;
  context_length?: number;
  architecture?: { input_modalities?: string[]; output_modalities?: string[] };
  top_provider?: { context_length?: number | null; max_completion_tokens?: number | null };
}

/** Modalities as the host states them; undefined when it does not, so the catalog falls back to
 * its table and then to the id. */
export const modalitiesFromArchitecture = (architecture: ListedModel['architecture']): Modality[] | undefined => {
  const inputs = architecture?.input_modalities;
  const outputs = architecture?.output_modalities;
  if (!Array.isArray(inputs) || !Array.isArray(outputs) || outputs.length === 0) return undefined;
  if (outputs.includes('image')) return ['image'];
  if (outputs.includes('embeddings') || outputs.includes('embedding')) return ['embedding'];
  if (outputs.includes('audio') && !outputs.includes('text')) return ['audio-speech'];
  if (outputs.includes('video')) return ['video'];
  return inputs.includes('image') ? ['text', 'vision'] : ['text'];
};

const positive = (value: number | null | undefined): number | undefined => (typeof value === 'number' && value > 0 ? value : undefined);

export const toCatalogModel = (providerId: string, model: ListedModel): CatalogModel => ({
  id: model.id,
  provider: providerId,
  upstreamId: model.id,
  ownedBy: model.owned_by,
  name: model.name,
  contextWindow: positive(model.context_length) ?? positive(model.top_provider?.context_length),
  maxOutputTokens: positive(model.top_provider?.max_completion_tokens),
  modalities: modalitiesFromArchitecture(model.architecture),
});

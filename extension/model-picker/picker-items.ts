import type { ModelPrice } from '../../proxy/catalog/bundled-table.js';
import type { Modality } from '../../proxy/adapters/types.js';

/** The catalog fields the picker shows. */
export interface PickerModel {
  id: string;
  provider: string;
  name?: string;
  contextWindow?: number;
  modalities: Modality[];
  price?: ModelPrice;
}

export type PickerRow =
  | { kind: 'separator'; label: string }
  | { kind: 'model'; id: string; label: string; description: string; detail: string; favourite: boolean; current: boolean };

export interface PickerPreferences {
  current?: string;
  /** Most recent first. */
  recent: readonly string[];
  favourites: readonly string[];
  /** Quality figures per model id, shown beside the price. */
  figures?: ReadonlyMap<string, string>;
}

export const RECENT_SHOWN = 5;

/** The modality a model is grouped under: what it produces, text for chat models with vision. */
const MODALITY_GROUPS: readonly { modality: Modality; label: string }[] = [
  { modality: 'text', label: 'Text' },
  { modality: 'image', label: 'Image' },
  { modality: 'video', label: 'Video' },
  { modality: 'audio-speech', label: 'Speech' },
  { modality: 'audio-transcription', label: 'Transcription' },
  { modality: 'embedding', label: 'Embeddings' },
  { modality: 'vision', label: 'Vision' },
];

export const primaryModality = (model: PickerModel): { index: number; label: string } => {
  const index = MODALITY_GROUPS.findIndex((group) => model.modalities.includes(group.modality));
  return index >= 0 ? { index, label: MODALITY_GROUPS[index]!.label } : { index: MODALITY_GROUPS.length, label: 'Other' };
};

/** `128K`, `1M`, `1.05M` context. */
export const formatContext = (tokens: number | undefined): string | undefined => {
  if (!tokens) return undefined;
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(2))}M`;
  if (tokens >= 1_000) return `${Math.round(tokens / 1_000)}K`;
  return String(tokens);
};

/** At least cents, and the sub-cent digits prices often have ($0.075, $0.0025) kept. */
const dollars = (value: number): string => {
  const text = String(Number(value.toFixed(4)));
  const decimals = text.split('.')[1]?.length ?? 0;
  return `$${decimals >= 2 ? text : value.toFixed(2)}`;
};

export const formatPrice = (price: ModelPrice | undefined): string | undefined => {
  if (!price) return undefined;
  const parts: string[] = [];
  if (price.input !== undefined && price.output !== undefined) parts.push(`${dollars(price.input)} in / ${dollars(price.output)} out per 1M tokens`);
  else if (price.input !== undefined) parts.push(`${dollars(price.input)} per 1M input tokens`);
  else if (price.output !== undefined) parts.push(`${dollars(price.output)} per 1M output tokens`);
  if (price.perImage !== undefined) parts.push(`${dollars(price.perImage)} per image`);
  if (price.perSecond !== undefined) parts.push(`${dollars(price.perSecond)} per second`);
  if (price.perMillionCharacters !== undefined) parts.push(`${dollars(price.perMillionCharacters)} per 1M characters`);
  return parts.length > 0 ? parts.join(', ') : undefined;
};

const toRow = (model: PickerModel, preferences: PickerPreferences): PickerRow => {
  const context = formatContext(model.contextWindow);
  const price = formatPrice(model.price);
  const detail = [context ? `${context} context` : undefined, price ?? 'price unknown', preferences.figures?.get(model.id)].filter(Boolean).join(' · ');
  return {
    kind: 'model',
    id: model.id,
    label: model.id,
    description: [model.name && model.name !== model.id ? model.name : undefined, model.provider].filter(Boolean).join(' · '),
    detail,
    favourite: preferences.favourites.includes(model.id),
    current: model.id === preferences.current,
  };
};

/** Rows for the QuickPick: favourites, then recently used, then every other model grouped by
 * modality and provider (each model appears once). */
export const buildPickerRows = (models: readonly PickerModel[], preferences: PickerPreferences): PickerRow[] => {
  const byId = new Map(models.map((model) => [model.id, model]));
  const shown = new Set<string>();
  const rows: PickerRow[] = [];
  const section = (label: string, ids: readonly string[]): void => {
    const present = ids.filter((id) => byId.has(id) && !shown.has(id));
    if (present.length === 0) return;
    rows.push({ kind: 'separator', label });
    for (const id of present) {
      shown.add(id);
      rows.push(toRow(byId.get(id)!, preferences));
    }
  };
  section('Favourites', preferences.favourites);
  section('Recently used', preferences.recent.slice(0, RECENT_SHOWN));
  const rest = models
    .filter((model) => !shown.has(model.id))
    .map((model) => ({ model, modality: primaryModality(model) }))
    .sort((left, right) => left.modality.index - right.modality.index || left.model.provider.localeCompare(right.model.provider) || left.model.id.localeCompare(right.model.id));
  let group = '';
  for (const { model, modality } of rest) {
    const label = `${modality.label} · ${model.provider}`;
    if (label !== group) {
      rows.push({ kind: 'separator', label });
      group = label;
    }
    rows.push(toRow(model, preferences));
  }
  return rows;
};

/** The recent list after choosing `id`: it moves to the front, the list stays short. */
export const pushRecent = (recent: readonly string[], id: string, limit = 10): string[] => [id, ...recent.filter((entry) => entry !== id)].slice(0, limit);

export const toggleFavourite = (favourites: readonly string[], id: string): string[] => (favourites.includes(id) ? favourites.filter((entry) => entry !== id) : [...favourites, id]);

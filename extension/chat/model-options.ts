import type { CatalogEntry } from '../../proxy/catalog/catalog.js';
import { formatPrice } from '../model-picker/picker-items.js';
import { modeOf } from './model-mode.js';
import type { ModelOption } from './protocol.js';

/** The view's chooser over the same catalog as the palette's picker: every model the view can use
 * (embedding-only models cannot be used here and are left out), with the same price text. */
export const toModelOptions = (entries: readonly CatalogEntry[]): ModelOption[] =>
  entries
    .filter((entry) => modeOf(entry.modalities) !== undefined)
    .map((entry) => ({
      id: entry.id,
      name: entry.name ?? entry.id,
      provider: entry.provider,
      modalities: [...entry.modalities],
      contextWindow: entry.contextWindow,
      price: formatPrice(entry.price),
    }));

import type { CatalogEntry } from '../../proxy/catalog/catalog.js';
import { buildPickerRows, formatPrice, type PickerPreferences } from '../model-picker/picker-items.js';
import type { LanguageModelChatInformation } from './lm-provider-api.js';

/** What VS Code is told when the catalog does not know: its agent mode needs a large window. */
const DEFAULT_CONTEXT_WINDOW = 128_000;
const DEFAULT_MAX_OUTPUT_TOKENS = 8_192;

const toInformation = (entry: CatalogEntry): LanguageModelChatInformation => {
  const maxOutputTokens = entry.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const contextWindow = entry.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  return {
    id: entry.id,
    name: entry.name ?? entry.id,
    family: entry.upstreamId,
    version: entry.upstreamId,
    // The window holds the prompt and the answer.
    maxInputTokens: contextWindow > maxOutputTokens ? contextWindow - maxOutputTokens : contextWindow,
    maxOutputTokens,
    detail: entry.provider,
    tooltip: [entry.id, formatPrice(entry.price)].filter(Boolean).join(' · '),
    // Every chat model behind the gateway is asked through OpenAI-style tool definitions.
    capabilities: { toolCalling: true, imageInput: entry.modalities.includes('vision') },
    isUserSelectable: true,
  };
};

/** The catalog's chat models (text in, text out) in the picker's order: favourites, recently used,
 * then by provider and id. */
export const toChatInformation = (entries: readonly CatalogEntry[], preferences: Pick<PickerPreferences, 'favourites' | 'recent'>): LanguageModelChatInformation[] => {
  const chat = entries.filter((entry) => entry.modalities.includes('text'));
  const byId = new Map(chat.map((entry) => [entry.id, entry]));
  return buildPickerRows(chat, preferences).flatMap((row) => (row.kind === 'model' ? [toInformation(byId.get(row.id)!)] : []));
};

import type { Modality } from '../../proxy/adapters/types.js';
import type { ModelQuality } from '../../proxy/usage/model-quality.js';

/** What the chooser can narrow to, typed as a prefix ("image:", "vision:") or picked by its button. */
export const MODALITY_FILTERS: readonly { modality: Modality; word: string; label: string }[] = [
  { modality: 'text', word: 'text', label: 'Text' },
  { modality: 'vision', word: 'vision', label: 'Vision' },
  { modality: 'image', word: 'image', label: 'Image' },
  { modality: 'video', word: 'video', label: 'Video' },
  { modality: 'audio-speech', word: 'speech', label: 'Speech' },
  { modality: 'audio-transcription', word: 'transcription', label: 'Transcription' },
  { modality: 'embedding', word: 'embedding', label: 'Embeddings' },
];

const PREFIX = /^\s*(all|text|vision|image|video|speech|transcription|embedding)s?:\s*/i;

/** A typed modality prefix: the modality it names ('all' clears the filter) and the rest of the text. */
export const modalityPrefix = (value: string): { modality: Modality | 'all'; rest: string } | undefined => {
  const match = PREFIX.exec(value);
  if (!match) return undefined;
  const word = match[1]!.toLowerCase();
  const modality = word === 'all' ? 'all' : MODALITY_FILTERS.find((filter) => filter.word === word)!.modality;
  return { modality, rest: value.slice(match[0].length) };
};

/** The modality after `current` in the button's cycle (all, then each, then all again). */
export const nextModality = (current: Modality | undefined): Modality | undefined => {
  const index = current === undefined ? -1 : MODALITY_FILTERS.findIndex((filter) => filter.modality === current);
  return MODALITY_FILTERS[index + 1]?.modality;
};

export const modalityLabel = (modality: Modality | undefined): string => (modality === undefined ? 'All models' : `${MODALITY_FILTERS.find((filter) => filter.modality === modality)?.label ?? modality} models`);

const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** A model's quality figures in a line ("thumbs up 80% of 5 · wins 60% of 10"); the win rate only from
 * the minimum count of comparisons on, the count always. Undefined when nobody rated it. */
export const qualityText = (quality: ModelQuality | undefined): string | undefined => {
  if (!quality) return undefined;
  const parts: string[] = [];
  const thumbs = quality.thumbsUp + quality.thumbsDown;
  if (quality.thumbsUpShare !== null) parts.push(`thumbs up ${percent(quality.thumbsUpShare)} of ${thumbs}`);
  if (quality.comparisons > 0) parts.push(quality.winRate === null ? `${quality.comparisons} comparison${quality.comparisons === 1 ? '' : 's'} (too few for a win rate)` : `wins ${percent(quality.winRate)} of ${quality.comparisons}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
};

import type { ModelMode, Modality } from './protocol.js';

export { MAX_COMPARE_MODELS } from './compare-limit.js';

/** What the view does with a model, from its catalog modalities. Chat wins for models that also
 * make images (they answer in text); embedding-only models get no mode and are not offered. */
export const modeOf = (modalities: readonly Modality[]): ModelMode | undefined => {
  if (modalities.includes('text')) return 'chat';
  if (modalities.includes('image')) return 'image';
  if (modalities.includes('audio-speech')) return 'speech';
  if (modalities.includes('audio-transcription')) return 'transcription';
  if (modalities.includes('video')) return 'video';
  return undefined;
};

export const MODE_LABELS: Record<ModelMode, string> = {
  chat: 'Chat',
  image: 'Image generation',
  speech: 'Speech',
  transcription: 'Transcription',
  video: 'Video',
};

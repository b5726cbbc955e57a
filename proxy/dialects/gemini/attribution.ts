import type { BodyAttribution } from '../../usage/attribution.js';

/** Vertex AI's `labels` (string pairs on a generateContent request) as tags; Gemini names no end user. */
export const geminiAttribution = (body: object): BodyAttribution => ({ tags: (body as { labels?: unknown }).labels });

import type { BodyAttribution } from '../../usage/attribution.js';

/** The OpenAI fields that say who a request is for: `metadata` (string pairs) as tags, and the end
 * user (`user`, or `safety_identifier`, which OpenAI now prefers). Shared by every OpenAI body
 * that has them (chat, completions, embeddings, images, Responses). */
export interface OpenAIAttributionFields {
  metadata?: unknown;
  user?: unknown;
  safety_identifier?: unknown;
}

export const openAIAttribution = (body: OpenAIAttributionFields): BodyAttribution => ({ tags: body.metadata, user: body.user ?? body.safety_identifier });

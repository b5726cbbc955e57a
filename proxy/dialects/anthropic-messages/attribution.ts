import type { BodyAttribution } from '../../usage/attribution.js';

/** Anthropic's `metadata` holds only `user_id` (the API refuses other keys), so tags come from
 * the header alone. */
export const messagesAttribution = (body: object): BodyAttribution => {
  const metadata = (body as { metadata?: unknown }).metadata;
  return metadata && typeof metadata === 'object' ? { user: (metadata as { user_id?: unknown }).user_id } : {};
};

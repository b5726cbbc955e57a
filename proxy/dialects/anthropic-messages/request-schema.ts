import { z } from 'zod';

const contentBlock = z.object({ type: z.string() }).passthrough();
const content = z.union([z.string(), z.array(contentBlock)]);

/** Only what the translation relies on is checked; every other field is accepted and ignored (or
 * forwarded untouched to an Anthropic upstream). */
export const messagesRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(z.object({ role: z.enum(['user', 'assistant', 'system']), content }).passthrough()),
    system: content.optional().nullable(),
    max_tokens: z.number().int().min(1).optional(),
    stream: z.boolean().optional().nullable(),
    tools: z.array(z.object({ name: z.string() }).passthrough()).optional().nullable(),
  })
  .passthrough();

export const countTokensSchema = messagesRequestSchema.omit({ max_tokens: true, stream: true });

import { z } from 'zod';

const part = z.object({}).passthrough();
const content = z.object({ role: z.enum(['user', 'model']).optional(), parts: z.array(part) }).passthrough();

/** What the translation relies on is checked, so a malformed body is a 400 before anything goes
 * upstream; every other field is accepted (and relayed untouched to a Gemini upstream). */
export const generateContentSchema = z
  .object({
    contents: z.array(content),
    // Content first: what clients send (a union's failed branch costs zod an issue object each time).
    systemInstruction: z.union([z.object({ parts: z.array(part).optional() }).passthrough(), z.string()]).optional(),
    tools: z.array(z.object({ functionDeclarations: z.array(z.object({ name: z.string().min(1) }).passthrough()).optional() }).passthrough()).optional(),
    toolConfig: z.object({}).passthrough().optional(),
    generationConfig: z.object({}).passthrough().optional(),
    safetySettings: z.array(z.object({}).passthrough()).optional(),
  })
  .passthrough();

/** countTokens takes `contents`, or a whole `generateContentRequest`. */
export const countTokensSchema = z.union([
  z.object({ contents: z.array(content) }).passthrough(),
  z.object({ generateContentRequest: generateContentSchema }).passthrough(),
]);

const embedContent = z.object({ content: z.object({ parts: z.array(part) }).passthrough() }).passthrough();

export const embedContentSchema = embedContent;

export const batchEmbedContentsSchema = z.object({ requests: z.array(embedContent).min(1) }).passthrough();

import { z } from 'zod';
import { validate } from '../../validate.js';

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

const ROLES = new Set(['user', 'assistant', 'system']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isAbsent = (value: unknown): boolean => value === undefined || value === null;

const isContent = (value: unknown): boolean => {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value)) return false;
  for (const block of value) if (!isObject(block) || typeof block.type !== 'string') return false;
  return true;
};

/** True only for bodies messagesRequestSchema accepts (never more permissive), checked without
 * zod, whose passthrough objects copy every message and content block of the conversation: on a
 * translated /v1/messages request zod measured about 2% of the gateway's CPU (npm run bench), more
 * on a long conversation. Anything this does not recognise goes to zod, which words the error. */
export const obviouslyValidMessagesRequest = (body: Record<string, unknown>): boolean => {
  if (typeof body.model !== 'string' || body.model.length === 0) return false;
  const messages = body.messages;
  if (!Array.isArray(messages)) return false;
  for (const message of messages) if (!isObject(message) || !ROLES.has(message.role as string) || !isContent(message.content)) return false;
  if (!isAbsent(body.system) && !isContent(body.system)) return false;
  const maxTokens = body.max_tokens;
  if (maxTokens !== undefined && !(typeof maxTokens === 'number' && Number.isSafeInteger(maxTokens) && maxTokens >= 1)) return false;
  if (!isAbsent(body.stream) && typeof body.stream !== 'boolean') return false;
  const tools = body.tools;
  if (!isAbsent(tools)) {
    if (!Array.isArray(tools)) return false;
    for (const tool of tools) if (!isObject(tool) || typeof tool.name !== 'string') return false;
  }
  return true;
};

/** Checks a messages body as messagesRequestSchema does; a 400 naming the parameter when it fails. */
export const checkMessagesRequest = (body: Record<string, unknown>): void => {
  if (!obviouslyValidMessagesRequest(body)) validate(messagesRequestSchema, body);
};

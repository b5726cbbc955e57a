import { z } from 'zod';
import { GatewayError } from '../errors.js';

const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']) }).passthrough();

/** Only what the gateway itself relies on is checked; the upstream judges the rest. */
export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().optional().nullable(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().optional().nullable(),
    n: z.number().int().min(1).max(128).optional().nullable(),
    tools: z.array(z.object({ type: z.string() }).passthrough()).optional().nullable(),
  })
  .passthrough();

export const modelOnlySchema = z.object({ model: z.string().min(1) }).passthrough();

export const embeddingsSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
  })
  .passthrough();

/** Parses with a schema; the first problem becomes a 400 naming the parameter. */
export const validate = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw GatewayError.invalidRequest(`Invalid request${param ? ` parameter '${param}'` : ''}: ${issue?.message ?? 'malformed body'}`, param, 'invalid_parameter');
};

import { z } from 'zod';
import { GatewayError } from '../errors.js';

// The schemas check and never copy: routes keep the client's body, and zod's default (strip) mode
// builds its output from the checked keys only, so long conversations cost no deep copy.
const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']) });

/** Only what the gateway itself relies on is checked; the upstream judges the rest. */
export const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().optional().nullable(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).optional().nullable(),
    n: z.number().int().min(1).max(128).optional().nullable(),
    tools: z.array(z.object({ type: z.string() })).optional().nullable(),
  });

export const modelOnlySchema = z.object({ model: z.string().min(1) });

export const embeddingsSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
  });

/** Parses with a schema; the first problem becomes a 400 naming the parameter. */
export const validate = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw GatewayError.invalidRequest(`Invalid request${param ? ` parameter '${param}'` : ''}: ${issue?.message ?? 'malformed body'}`, param, 'invalid_parameter');
};

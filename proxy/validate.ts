import type { z } from 'zod';
import { GatewayError } from './errors.js';

/** Parses with a schema; the first problem becomes a 400 naming the parameter. */
export const validate = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw GatewayError.invalidRequest(`Invalid request${param ? ` parameter '${param}'` : ''}: ${issue?.message ?? 'malformed body'}`, param, 'invalid_parameter');
};

import { z } from 'zod';
export { validate } from '../validate.js';

export const modelOnlySchema = z.object({ model: z.string().min(1) });

export const embeddingsSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
  });


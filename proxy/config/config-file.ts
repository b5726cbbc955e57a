import { readFileSync } from 'node:fs';
import { z } from 'zod';

const price = z
  .object({
    input: z.number(),
    output: z.number(),
    cachedInput: z.number(),
    cacheWrite: z.number(),
    reasoning: z.number(),
    perImage: z.number(),
    perSecond: z.number(),
    perMillionCharacters: z.number(),
  })
  .partial();

export const localTokenSchema = z.object({
  name: z.string().min(1),
  token: z.string().min(16),
  /** Glob patterns over client-facing model ids (`gpt-4o*`, `anthropic/*`). */
  allowedModels: z.array(z.string()).optional(),
  dailyBudgetUsd: z.number().positive().optional(),
  monthlyBudgetUsd: z.number().positive().optional(),
  requestsPerMinute: z.number().int().positive().optional(),
  revoked: z.boolean().optional(),
  /** Reads every token's usage through /modapi/usage*; other tokens read only their own. */
  admin: z.boolean().optional(),
});

/** The `--config` file: providers (keys may also come from the environment), named local tokens,
 * budgets, retries and fallbacks, price overrides. */
export const configFileSchema = z
  .object({
    defaultProvider: z.string().optional(),
    providers: z.record(z.object({ baseUrl: z.string().url().optional(), apiKey: z.string().optional(), dialect: z.enum(['openai', 'anthropic', 'gemini']).optional(), headers: z.record(z.string()).optional(), responsesApi: z.boolean().optional() })).optional(),
    tokens: z.array(localTokenSchema).optional(),
    allowedOrigins: z.array(z.string()).optional(),
    limits: z.object({ jsonBytes: z.number().int().positive(), uploadBytes: z.number().int().positive(), upstreamAnswerBytes: z.number().int().positive() }).partial().optional(),
    timeouts: z.object({ headersMs: z.number().int().positive(), bodyMs: z.number().int().positive() }).partial().optional(),
    priceOverrides: z.record(price).optional(),
    budget: z.object({ dailyUsd: z.number().positive(), monthlyUsd: z.number().positive(), warnAt: z.number().min(0).max(1), unpricedUsdPerRequest: z.number().positive() }).partial().optional(),
    retries: z.object({ maxRetries: z.number().int().min(0).max(10), baseDelayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) }).partial().optional(),
    fallbacks: z.record(z.array(z.string())).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
export type LocalTokenConfig = z.infer<typeof localTokenSchema>;

export const readConfigFile = (path: string): ConfigFile => {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = configFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return result.data;
};

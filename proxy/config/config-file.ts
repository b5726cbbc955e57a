import { readFileSync } from 'node:fs';
import { z, type ZodError } from 'zod';

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
  /** The team its usage counts for (usage by team, team budgets, team policies). */
  team: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . - (at most 64)').optional(),
});

const periodCaps = z.object({ dailyUsd: z.number().positive(), monthlyUsd: z.number().positive() }).partial();

/** `{"when": {"tag": "data=sensitive"}, "allowedModels": ["..."]}`: requests it matches may use only those models. */
export const tagPolicySchema = z
  .object({
    /** Named in a refusal; else the policy is named by its condition. */
    name: z.string().min(1).max(64).optional(),
    when: z
      .object({ tag: z.string().regex(/^[^=,\s]+=[^=,]+$/, 'KEY=VALUE').optional(), team: z.string().min(1).optional() })
      .strict()
      .refine((when) => when.tag !== undefined || when.team !== undefined, 'needs a tag (KEY=VALUE) or a team'),
    allowedModels: z.array(z.string()),
  })
  .strict();

/** A policy's rule as the team store keeps it (its name is the row's): the same shape, checked the same way. */
export const tagPolicyRuleSchema = tagPolicySchema.omit({ name: true });

/** A validation failure in one line: where, and what is wrong. */
export const firstIssue = (error: ZodError): string => {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || '(root)'}: ${issue?.message}`;
};

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
    budget: z
      .object({
        dailyUsd: z.number().positive(),
        monthlyUsd: z.number().positive(),
        warnAt: z.number().min(0).max(1),
        unpricedUsdPerRequest: z.number().positive(),
        /** Per team (the tokens' `team`). */
        teams: z.record(periodCaps),
        /** Per value of the `customer` tag; `*` caps each customer without an entry of its own. */
        customers: z.record(periodCaps),
      })
      .partial()
      .optional(),
    policies: z.array(tagPolicySchema).optional(),
    retries: z.object({ maxRetries: z.number().int().min(0).max(10), baseDelayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) }).partial().optional(),
    fallbacks: z.record(z.array(z.string())).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
export type LocalTokenConfig = z.infer<typeof localTokenSchema>;
export type TagPolicyConfig = z.infer<typeof tagPolicySchema>;

export const readConfigFile = (path: string): ConfigFile => {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = configFileSchema.safeParse(raw);
  if (!result.success) throw new Error(`${path}: ${firstIssue(result.error)}`);
  return result.data;
};

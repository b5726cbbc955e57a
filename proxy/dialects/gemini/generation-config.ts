import type { ChatRequest } from '../../adapters/types.js';
import type { GeminiGenerationConfig } from './wire-types.js';

/** Fields of an OpenAI chat body that Gemini has no use for; mentioned in a warning if set. */
const UNSUPPORTED = ['logprobs', 'top_logprobs', 'logit_bias', 'audio', 'modalities', 'prediction', 'service_tier'] as const;

const PRO_MINIMUM_BUDGET = 128;
const THINKING_BUDGET: Record<NonNullable<ChatRequest['reasoning_effort']>, number> = { minimal: 0, low: 1024, medium: 8192, high: 24576 };

/** Gemini's major version from a model id (`gemini-2.5-flash` -> 2.5), 0 when unknown. */
export const geminiVersion = (model: string): number => Number(/gemini-(\d+(?:\.\d+)?)/.exec(model)?.[1] ?? 0);

/** reasoning_effort as thinkingConfig: Gemini 3 takes a level, 2.5 a token budget. Thoughts are
 * asked for so that they reach the client as reasoning_content. */
const thinkingConfigFrom = (effort: ChatRequest['reasoning_effort'], model: string): GeminiGenerationConfig['thinkingConfig'] => {
  if (!effort || !(effort in THINKING_BUDGET)) return undefined;
  if (geminiVersion(model) >= 3) return { includeThoughts: true, thinkingLevel: effort === 'minimal' || effort === 'low' ? 'low' : 'high' };
  // 2.5 Pro cannot think less than 128 tokens (a budget of 0 turns thinking off elsewhere, and is refused there).
  if (effort === 'minimal' && /-pro\b/.test(model)) return { includeThoughts: false, thinkingBudget: PRO_MINIMUM_BUDGET };
  return { includeThoughts: effort !== 'minimal', thinkingBudget: THINKING_BUDGET[effort] };
};

const responseFormatConfig = (format: ChatRequest['response_format']): Partial<GeminiGenerationConfig> => {
  if (format?.type === 'json_object') return { responseMimeType: 'application/json' };
  if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    return { responseMimeType: 'application/json', ...(schema ? { responseJsonSchema: schema } : {}) };
  }
  return {};
};

const finiteNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The sampling and output parameters of an OpenAI chat body as Gemini's generationConfig. */
export const convertGenerationConfig = (request: ChatRequest, model: string): { generationConfig: GeminiGenerationConfig; warnings: string[] } => {
  const config: GeminiGenerationConfig = {};
  const maxTokens = finiteNumber(request.max_completion_tokens) ?? finiteNumber(request.max_tokens);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (finiteNumber(request.temperature) !== undefined) config.temperature = request.temperature;
  if (finiteNumber(request.top_p) !== undefined) config.topP = request.top_p;
  if (typeof request.stop === 'string') config.stopSequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length > 0) config.stopSequences = request.stop;
  if (finiteNumber(request.seed) !== undefined) config.seed = request.seed;
  if (finiteNumber(request.n) !== undefined) config.candidateCount = request.n;
  if (finiteNumber(request.presence_penalty) !== undefined) config.presencePenalty = request.presence_penalty as number;
  if (finiteNumber(request.frequency_penalty) !== undefined) config.frequencyPenalty = request.frequency_penalty as number;
  Object.assign(config, responseFormatConfig(request.response_format));
  const thinkingConfig = thinkingConfigFrom(request.reasoning_effort, model);
  if (thinkingConfig) config.thinkingConfig = thinkingConfig;
  const warnings = UNSUPPORTED.filter((field) => request[field] !== undefined && request[field] !== null && request[field] !== false).map(
    (field) => `Gemini does not support "${field}"; it was ignored.`,
  );
  return { generationConfig: config, warnings };
};

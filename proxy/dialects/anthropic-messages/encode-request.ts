import { findBundledModel } from '../../catalog/bundled-table.js';
import type { ChatRequest } from '../../adapters/types.js';
import { convertMessages } from './encode-messages.js';
import { functionTools } from '../../pipeline/function-tools.js';
import { convertToolChoice, convertTools } from './encode-tools.js';
import type { AnthropicMessage, AnthropicRequest, AnthropicToolChoice } from './wire-types.js';

/** Anthropic requires max_tokens; without one from the client or the catalog, this. */
export const FALLBACK_MAX_TOKENS = 4096;

/** Thinking budgets for OpenAI's reasoning_effort (1024 is Anthropic's minimum). */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 16384 };

/** OpenAI parameters Anthropic has no counterpart for: the answer is given without them, with a
 * warning, rather than refused. */
const UNSUPPORTED_PARAMETERS = ['logprobs', 'top_logprobs', 'seed', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'audio', 'prediction', 'web_search_options'] as const;

export interface ConvertedRequest {
  body: AnthropicRequest;
  warnings: string[];
}

const unsupportedWarnings = (request: ChatRequest): string[] => {
  const warnings: string[] = [];
  if (typeof request.n === 'number' && request.n > 1) warnings.push('n > 1 is not supported by Anthropic; one choice is returned.');
  for (const name of UNSUPPORTED_PARAMETERS) {
    const value = request[name];
    if (value !== undefined && value !== null && value !== false) warnings.push(`${name} is not supported by Anthropic and was ignored.`);
  }
  if (request.response_format?.type === 'json_object') warnings.push('response_format json_object has no Anthropic counterpart (json_schema has) and was ignored.');
  const modalities = request.modalities;
  if (Array.isArray(modalities) && modalities.some((modality) => modality !== 'text')) warnings.push('Only text output is supported by Anthropic; modalities was ignored.');
  return warnings;
};

/** response_format json_schema as Anthropic's structured output (`output_config.format`). */
const outputFormatFor = (request: ChatRequest): AnthropicRequest['output_config'] => {
  const format = request.response_format;
  if (format?.type !== 'json_schema' || !format.json_schema?.schema || typeof format.json_schema.schema !== 'object') return undefined;
  return { format: { type: 'json_schema', schema: format.json_schema.schema as Record<string, unknown> } };
};

/** `thinking` from the client as is (an Anthropic-aware client), else from `reasoning_effort`. */
const requestedThinking = (request: ChatRequest): AnthropicRequest['thinking'] => {
  const explicit = request.thinking as AnthropicRequest['thinking'];
  if (explicit && typeof explicit === 'object' && typeof explicit.type === 'string') return explicit.type === 'disabled' ? undefined : explicit;
  const budget = request.reasoning_effort ? THINKING_BUDGET[request.reasoning_effort] : undefined;
  return budget ? { type: 'enabled', budget_tokens: budget } : undefined;
};

/** Whether the last assistant turn called tools without its thinking block (a client that did
 * not keep the signature): Anthropic refuses thinking for the turn that continues it. */
const continuesToolUseWithoutThinking = (messages: AnthropicMessage[]): boolean => {
  const lastAssistant = [...messages].reverse().find((message) => message.role === 'assistant');
  if (!lastAssistant || !Array.isArray(lastAssistant.content)) return false;
  const types = lastAssistant.content.map((block) => block.type);
  return types.includes('tool_use') && !types.includes('thinking') && !types.includes('redacted_thinking');
};

/** Thinking, unless Anthropic would refuse it for this request: a forced tool choice (the client's
 * forcing wins), or a tool loop whose thinking block was not sent back. */
const thinkingFor = (request: ChatRequest, messages: AnthropicMessage[], toolChoice: AnthropicToolChoice | undefined, warnings: string[]): AnthropicRequest['thinking'] => {
  const thinking = requestedThinking(request);
  if (!thinking) return undefined;
  if (toolChoice?.type === 'any' || toolChoice?.type === 'tool') {
    warnings.push('Thinking cannot be combined with a forced tool_choice on Anthropic; reasoning was not requested.');
    return undefined;
  }
  if (continuesToolUseWithoutThinking(messages)) {
    warnings.push('The last assistant tool call came back without its thinking block and signature; reasoning was not requested for this turn.');
    return undefined;
  }
  return thinking;
};

/** The client's max_tokens, else the model's maximum output from the catalog, else 4096. With
 * thinking on, the budget comes out of max_tokens, so a client's small max_tokens is added to it. */
const maxTokensFor = (request: ChatRequest, upstreamModel: string, thinking: AnthropicRequest['thinking']): number => {
  const asked = request.max_completion_tokens ?? request.max_tokens;
  const maxTokens = asked ?? findBundledModel(upstreamModel)?.maxOutputTokens ?? FALLBACK_MAX_TOKENS;
  const budget = thinking?.budget_tokens ?? 0;
  if (budget > 0 && maxTokens <= budget) return budget + maxTokens;
  return maxTokens;
};

/** Sampling parameters within Anthropic's limits: temperature is 0..1 (OpenAI's is 0..2), and with
 * thinking on Anthropic accepts neither temperature nor top_p below 0.95. */
const samplingFor = (request: ChatRequest, thinking: boolean, warnings: string[]): Pick<AnthropicRequest, 'temperature' | 'top_p' | 'top_k'> => {
  const sampling: Pick<AnthropicRequest, 'temperature' | 'top_p' | 'top_k'> = {};
  if (typeof request.temperature === 'number') {
    if (thinking) warnings.push('temperature cannot be set with thinking on Anthropic and was ignored.');
    else if (request.temperature > 1) {
      warnings.push('temperature above 1 is not supported by Anthropic; 1 was used.');
      sampling.temperature = 1;
    } else sampling.temperature = request.temperature;
  }
  if (typeof request.top_p === 'number') {
    if (thinking && request.top_p < 0.95) warnings.push('top_p below 0.95 cannot be set with thinking on Anthropic and was ignored.');
    else sampling.top_p = request.top_p;
  }
  if (typeof request.top_k === 'number') sampling.top_k = request.top_k;
  return sampling;
};

/** The gateway's neutral (OpenAI) chat request as an Anthropic Messages request. */
export const convertRequest = (request: ChatRequest, upstreamModel: string, stream: boolean): ConvertedRequest => {
  const converted = convertMessages(request.messages);
  const functions = functionTools(request);
  const warnings = [...converted.warnings, ...unsupportedWarnings(request), ...functions.warnings];
  const toolChoice = convertToolChoice(functions.tools, functions.choice, request);
  const thinking = thinkingFor(request, converted.messages, toolChoice, warnings);
  const body: AnthropicRequest = {
    model: upstreamModel,
    messages: converted.messages,
    max_tokens: maxTokensFor(request, upstreamModel, thinking),
    ...(converted.system.length > 0 ? { system: converted.system } : {}),
    ...samplingFor(request, thinking !== undefined, warnings),
    stream,
  };
  const tools = convertTools(functions.tools);
  if (tools) body.tools = tools;
  if (toolChoice) body.tool_choice = toolChoice;
  if (thinking) body.thinking = thinking;
  const outputConfig = outputFormatFor(request);
  if (outputConfig) body.output_config = outputConfig;
  if (request.stop !== undefined && request.stop !== null) body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (typeof request.user === 'string' && request.user) body.metadata = { user_id: request.user };
  return { body, warnings };
};

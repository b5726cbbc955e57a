import type { ChatRequest, ChatTool } from '../../adapters/types.js';
import { decodeContents, systemText } from './decode-contents.js';
import { jsonSchemaFromOpenApi } from './openapi-schema.js';
import type { GeminiClientRequest, GeminiGenerationConfig } from './wire-types.js';

type ReasoningEffort = NonNullable<ChatRequest['reasoning_effort']>;

export interface DecodedGeminiRequest {
  chat: ChatRequest;
  /** Whether the client asked to see thoughts (thinkingConfig.includeThoughts). */
  includeThoughts: boolean;
  /** What has no counterpart on a translated lane; logged, never fatal. */
  warnings: string[];
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Function declarations as function tools; Google's own tools (search, code execution) run only
 * at Gemini and are left out. */
const decodeTools = (tools: GeminiClientRequest['tools'], warnings: string[]): ChatTool[] => {
  const decoded: ChatTool[] = [];
  for (const tool of tools ?? []) {
    for (const declaration of tool.functionDeclarations ?? []) {
      const parameters = declaration.parametersJsonSchema ?? (declaration.parameters === undefined ? undefined : jsonSchemaFromOpenApi(declaration.parameters));
      decoded.push({ type: 'function', function: { name: declaration.name, ...(declaration.description ? { description: declaration.description } : {}), ...(parameters ? { parameters: parameters as Record<string, unknown> } : {}) } });
    }
    const googleTools = Object.keys(tool).filter((key) => key !== 'functionDeclarations');
    if (googleTools.length > 0) warnings.push(`Gemini's own tools (${googleTools.join(', ')}) run only on Gemini models; they were left out.`);
  }
  return decoded;
};

/** functionCallingConfig: AUTO auto, NONE none, ANY required, or the one named function. */
const decodeToolChoice = (config: GeminiClientRequest['toolConfig'], warnings: string[]): ChatRequest['tool_choice'] => {
  const calling = config?.functionCallingConfig;
  const names = calling?.allowedFunctionNames ?? [];
  switch (calling?.mode) {
    case 'AUTO':
      return 'auto';
    case 'NONE':
      return 'none';
    case 'ANY':
      if (names.length === 1) return { type: 'function', function: { name: names[0] as string } };
      if (names.length > 1) warnings.push('allowedFunctionNames with several names has no counterpart here; any function may be called.');
      return 'required';
    case undefined:
      return undefined;
    default:
      warnings.push(`functionCallingConfig mode ${String(calling?.mode).slice(0, 40)} has no counterpart here; the model chooses.`);
      return 'auto';
  }
};

/** thinkingLevel, else the token budget, as an effort; a budget of -1 (dynamic) leaves the model's
 * default, and so does 0 (thinking off, in Google's words): an effort would turn thinking on at
 * Anthropic and be refused by a model that does not reason. */
const reasoningEffort = (thinking: GeminiGenerationConfig['thinkingConfig']): ReasoningEffort | undefined => {
  const level = thinking?.thinkingLevel?.toLowerCase();
  if (level === 'minimal' || level === 'low' || level === 'medium' || level === 'high') return level;
  const budget = thinking?.thinkingBudget;
  if (!finite(budget) || budget <= 0) return undefined;
  return budget <= 2_048 ? 'low' : budget <= 12_288 ? 'medium' : 'high';
};

const responseFormat = (config: GeminiGenerationConfig): ChatRequest['response_format'] => {
  const schema = config.responseJsonSchema ?? (config.responseSchema === undefined ? undefined : jsonSchemaFromOpenApi(config.responseSchema));
  if (schema) return { type: 'json_schema', json_schema: { name: 'response', schema } };
  if (config.responseMimeType === 'application/json') return { type: 'json_object' };
  return undefined;
};

/** generationConfig onto the neutral request. */
const applyGenerationConfig = (chat: ChatRequest, config: GeminiGenerationConfig, warnings: string[]): void => {
  if (finite(config.temperature)) chat.temperature = config.temperature;
  if (finite(config.topP)) chat.top_p = config.topP;
  if (finite(config.maxOutputTokens)) chat.max_tokens = config.maxOutputTokens;
  if (Array.isArray(config.stopSequences) && config.stopSequences.length > 0) chat.stop = config.stopSequences;
  if (finite(config.candidateCount) && config.candidateCount !== 1) chat.n = config.candidateCount;
  if (finite(config.seed)) chat.seed = config.seed;
  if (finite(config.presencePenalty)) chat.presence_penalty = config.presencePenalty;
  if (finite(config.frequencyPenalty)) chat.frequency_penalty = config.frequencyPenalty;
  if (finite(config.topK)) warnings.push('topK has no counterpart on this model; it was ignored.');
  const format = responseFormat(config);
  if (format) chat.response_format = format;
  const effort = reasoningEffort(config.thinkingConfig);
  if (effort) chat.reasoning_effort = effort;
};

/** A Gemini generateContent body as the gateway's neutral chat request, for a translated lane (a
 * Gemini upstream gets the body itself). `model` is the id from the path. */
export const toChatRequest = (request: GeminiClientRequest, model: string, stream: boolean): DecodedGeminiRequest => {
  const warnings: string[] = [];
  const system = systemText(request.systemInstruction);
  const chat: ChatRequest = { model, messages: [...(system ? [{ role: 'system' as const, content: system }] : []), ...decodeContents(request.contents)], stream };
  if (stream) chat.stream_options = { include_usage: true };
  const tools = decodeTools(request.tools, warnings);
  if (tools.length > 0) {
    chat.tools = tools;
    const choice = decodeToolChoice(request.toolConfig, warnings);
    if (choice) chat.tool_choice = choice;
  }
  applyGenerationConfig(chat, request.generationConfig ?? {}, warnings);
  if (request.safetySettings?.length) warnings.push('safetySettings apply only on Gemini models; they were dropped.');
  if (request.cachedContent) warnings.push('cachedContent is a Gemini cache; it was ignored.');
  return { chat, includeThoughts: request.generationConfig?.thinkingConfig?.includeThoughts === true, warnings };
};

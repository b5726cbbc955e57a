import type { ChatMessage, ChatRequest, ChatTool } from '../../adapters/types.js';
import type { AnthropicRequest, AnthropicTool, AnthropicToolChoice } from './wire-types.js';
import { convertMessages, plainText } from './decode-messages.js';

type ReasoningEffort = NonNullable<ChatRequest['reasoning_effort']>;

const systemMessages = (system: AnthropicRequest['system']): ChatMessage[] => {
  const text = plainText(system);
  return text ? [{ role: 'system', content: text }] : [];
};

/** Client tools only: server tools (web search, code execution) run at Anthropic and have no schema. */
const convertTools = (tools: AnthropicTool[] | undefined): ChatTool[] =>
  (tools ?? [])
    .filter((tool) => tool.input_schema !== undefined && (tool.type === undefined || tool.type === 'custom'))
    .map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.input_schema },
    }));

const convertToolChoice = (choice: AnthropicToolChoice | undefined): ChatRequest['tool_choice'] => {
  switch (choice?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    default:
      return undefined;
  }
};

const EFFORTS = new Set<string>(['minimal', 'low', 'medium', 'high']);

const effortFromBudget = (budget: number): ReasoningEffort => (budget <= 4_096 ? 'low' : budget <= 16_384 ? 'medium' : 'high');

/** Only an explicit `thinking: {type: "enabled"}` asks for reasoning. Claude Code sends
 * `adaptive` (the model decides) with `output_config.effort` on every call, and non-reasoning
 * models refuse `reasoning_effort` with a 400, so adaptive thinking leaves the model's default. */
export const reasoningEffortOf = (request: Pick<AnthropicRequest, 'thinking' | 'output_config'>): ReasoningEffort | undefined => {
  if (request.thinking?.type !== 'enabled') return undefined;
  const effort = request.output_config?.effort;
  if (effort === 'max') return 'high';
  if (typeof effort === 'string' && EFFORTS.has(effort)) return effort as ReasoningEffort;
  return effortFromBudget(request.thinking.budget_tokens ?? 0);
};

/** Whether OpenAI's strict mode takes the schema: every object closed (`additionalProperties:
 * false`) with all its properties required. */
const strictCompatible = (schema: unknown): boolean => {
  if (Array.isArray(schema)) return schema.every(strictCompatible);
  if (schema === null || typeof schema !== 'object') return true;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' || node.properties !== undefined) {
    const properties = node.properties && typeof node.properties === 'object' ? Object.keys(node.properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    if (node.additionalProperties !== false || properties.some((name) => !required.includes(name))) return false;
  }
  return Object.values(node).every(strictCompatible);
};

/** Anthropic enforces the schema; OpenAI does only in strict mode, which refuses (400) a schema with
 * an optional property or an open object, as zod's `.optional()` gives: strict only where it holds. */
const responseFormatOf = (request: AnthropicRequest): ChatRequest['response_format'] => {
  const format = request.output_config?.format;
  if (format?.type !== 'json_schema' || !format.schema) return undefined;
  return { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, ...(strictCompatible(format.schema) ? { strict: true } : {}) } };
};

/** An Anthropic Messages request as the gateway's neutral chat request (OpenAI's chat body).
 * Fields with no counterpart (top_k, metadata, cache_control, context_management) are dropped. */
export const toChatRequest = (request: AnthropicRequest, stream: boolean): ChatRequest => {
  const chat: ChatRequest = {
    model: request.model,
    messages: [...systemMessages(request.system), ...convertMessages(request.messages)],
    stream,
  };
  if (typeof request.max_tokens === 'number') chat.max_tokens = request.max_tokens;
  if (typeof request.temperature === 'number') chat.temperature = request.temperature;
  if (typeof request.top_p === 'number') chat.top_p = request.top_p;
  if (Array.isArray(request.stop_sequences) && request.stop_sequences.length > 0) chat.stop = request.stop_sequences;
  const tools = convertTools(request.tools);
  const toolChoice = convertToolChoice(request.tool_choice);
  if (tools.length > 0) {
    chat.tools = tools;
    if (toolChoice) chat.tool_choice = toolChoice;
    if (request.tool_choice && 'disable_parallel_tool_use' in request.tool_choice && request.tool_choice.disable_parallel_tool_use) chat.parallel_tool_calls = false;
  }
  const effort = reasoningEffortOf(request);
  if (effort) chat.reasoning_effort = effort;
  const responseFormat = responseFormatOf(request);
  if (responseFormat) chat.response_format = responseFormat;
  return chat;
};

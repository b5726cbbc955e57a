import type { ChatRequest, ChatTool } from '../../adapters/types.js';
import type { FunctionToolChoice } from '../../pipeline/function-tools.js';
import type { AnthropicTool, AnthropicToolChoice } from './wire-types.js';

/** OpenAI function tools as Anthropic tools (the JSON schema travels as `input_schema`). */
export const convertTools = (tools: ChatTool[]): AnthropicTool[] | undefined => {
  if (tools.length === 0) return undefined;
  return tools.map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description ? { description: tool.function.description } : {}),
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  }));
};

/** `tool_choice` auto/none/required/named as auto/none/any/tool; `parallel_tool_calls: false` as
 * `disable_parallel_tool_use` (which `none` cannot carry, and needs no: it calls no tool). */
export const convertToolChoice = (tools: ChatTool[], choice: FunctionToolChoice | undefined, request: Pick<ChatRequest, 'parallel_tool_calls'>): AnthropicToolChoice | undefined => {
  if (tools.length === 0) return undefined;
  const disableParallel = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  if (choice && typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...disableParallel };
  if (choice === 'auto' || request.parallel_tool_calls === false) return { type: 'auto', ...disableParallel };
  return undefined;
};

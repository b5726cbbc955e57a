import type { ChatRequest, ChatTool } from '../adapters/types.js';

/** A tool choice an upstream with function tools only can be given. */
export type FunctionToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface FunctionTools {
  tools: ChatTool[];
  choice: FunctionToolChoice | undefined;
  warnings: string[];
}

interface AllowedToolsChoice {
  type: 'allowed_tools';
  allowed_tools: { mode?: unknown; tools?: unknown };
}

const isFunctionTool = (tool: unknown): tool is ChatTool =>
  typeof tool === 'object' && tool !== null && (tool as ChatTool).type === 'function' && typeof (tool as ChatTool).function?.name === 'string';

const allowedNames = (choice: AllowedToolsChoice): Set<string> =>
  new Set((Array.isArray(choice.allowed_tools.tools) ? choice.allowed_tools.tools : []).filter(isFunctionTool).map((tool) => tool.function.name));

/** The neutral request's tools as an upstream without OpenAI's other kinds of tool sees them:
 * custom (free-form) tools and any other kind are left out with a warning (once a 500 on the
 * Anthropic lane, which read `function.name` of each), and an `allowed_tools` choice narrows the
 * tools to the ones it allows, with its mode (auto or required) as the choice. */
export const functionTools = (request: Pick<ChatRequest, 'tools' | 'tool_choice'>): FunctionTools => {
  const warnings: string[] = [];
  let tools: ChatTool[] = [];
  for (const tool of request.tools ?? []) {
    if (isFunctionTool(tool)) tools.push(tool);
    else warnings.push(`A tool of type "${String((tool as { type?: unknown }).type).slice(0, 64)}" has no counterpart at this provider and was left out.`);
  }
  const choice = request.tool_choice as FunctionToolChoice | AllowedToolsChoice | undefined | null;
  if (choice && typeof choice === 'object' && choice.type === 'allowed_tools' && choice.allowed_tools && typeof choice.allowed_tools === 'object') {
    const allowed = allowedNames(choice);
    tools = tools.filter((tool) => allowed.has(tool.function.name));
    return { tools, choice: choice.allowed_tools.mode === 'required' ? 'required' : 'auto', warnings };
  }
  if (choice && typeof choice === 'object' && !(choice.type === 'function' && typeof choice.function?.name === 'string')) {
    warnings.push(`A tool_choice of type "${String((choice as { type?: unknown }).type).slice(0, 64)}" has no counterpart at this provider; the model chooses (auto).`);
    return { tools, choice: 'auto', warnings };
  }
  return { tools, choice: choice ?? undefined, warnings };
};

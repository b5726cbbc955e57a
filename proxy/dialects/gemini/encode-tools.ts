import type { ChatRequest } from '../../adapters/types.js';
import { functionTools, type FunctionToolChoice } from '../../pipeline/function-tools.js';
import type { GeminiFunctionDeclaration, GeminiRequest } from './wire-types.js';

export interface ConvertedTools {
  tools?: GeminiRequest['tools'];
  toolConfig?: GeminiRequest['toolConfig'];
  warnings: string[];
}

const isEmptySchema = (schema: Record<string, unknown> | undefined): boolean => !schema || Object.keys(schema).length === 0;

/** OpenAI function tools as Gemini function declarations. The schema goes as
 * `parametersJsonSchema`, which takes JSON Schema as clients write it ($schema,
 * additionalProperties and all, as Google's own SDK sends it); the older `parameters` field would
 * reject those keys. */
const declarationsFrom = (tools: NonNullable<ChatRequest['tools']>, warnings: string[]): GeminiFunctionDeclaration[] => {
  const declarations: GeminiFunctionDeclaration[] = [];
  for (const tool of tools) {
    if (tool.type !== 'function' || !tool.function?.name) {
      warnings.push(`A tool of type "${String(tool.type)}" has no Gemini counterpart and was left out.`);
      continue;
    }
    const declaration: GeminiFunctionDeclaration = { name: tool.function.name };
    if (tool.function.description) declaration.description = tool.function.description;
    if (!isEmptySchema(tool.function.parameters)) declaration.parametersJsonSchema = tool.function.parameters;
    declarations.push(declaration);
  }
  return declarations;
};

/** tool_choice as functionCallingConfig: auto AUTO, none NONE, required ANY, a named function ANY
 * limited to that name. */
const toolConfigFrom = (choice: FunctionToolChoice | undefined): GeminiRequest['toolConfig'] => {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (typeof choice === 'object' && choice.function?.name) return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  return undefined;
};

export const convertTools = (request: Pick<ChatRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'>): ConvertedTools => {
  const functions = functionTools(request);
  const warnings = [...functions.warnings];
  const declarations = declarationsFrom(functions.tools, warnings);
  if (declarations.length === 0) return { warnings };
  if (request.parallel_tool_calls === false) warnings.push('Gemini cannot be told to avoid parallel tool calls; parallel_tool_calls was ignored.');
  const toolConfig = toolConfigFrom(functions.choice);
  return { tools: [{ functionDeclarations: declarations }], ...(toolConfig ? { toolConfig } : {}), warnings };
};

import type { ChatRequest, ChatTool } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import type { ResponsesFunctionTool, ResponsesNamespaceTool, ResponsesRequest, ResponsesTool } from './wire-types.js';

/** A function tool's name as the client knows it: inside a namespace or not. */
export interface ClientToolName {
  name: string;
  namespace?: string;
}

/** What the tools of a Responses request become for a chat upstream. */
export interface DecodedTools {
  tools: ChatTool[];
  toolChoice: ChatRequest['tool_choice'];
  /** Upstream (flattened) name -> the client's name and namespace, to map calls back. */
  names: Map<string, ClientToolName>;
  /** Tools left out (built-in tools a chat upstream cannot run), named for a warning. */
  leftOut: string[];
}

/** A namespace's functions reach a chat upstream as plain functions named `namespace__name`; the
 * double underscore is valid in every upstream's function names and rare in real ones. */
export const flatName = (name: string, namespace: string | undefined): string => (namespace ? `${namespace}__${name}` : name);

const chatTool = (tool: ResponsesFunctionTool, name: string, namespaceDescription?: string): ChatTool => {
  const description = [namespaceDescription, tool.description].filter(Boolean).join('\n\n');
  return {
    type: 'function',
    function: {
      name,
      ...(description ? { description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    },
  };
};

const isFunction = (tool: { type: string }): tool is ResponsesFunctionTool => tool.type === 'function' && typeof (tool as ResponsesFunctionTool).name === 'string';

/** A name from the client as it may appear in a header and the log: an identifier, or not shown. */
const shown = (value: unknown): string => (typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : '(unnamed)');
const builtInName = (tool: ResponsesTool): string => (typeof tool.name === 'string' ? `${shown(tool.type)} (${shown(tool.name)})` : shown(tool.type));

/** Tools that run at OpenAI (web search, file search, code interpreter, computer use, image
 * generation, hosted MCP) and custom (free-form) tools have no chat counterpart. Clients such as
 * Codex send some by default, so they are left out with a warning instead of refusing the request. */
const decodeToolList = (tools: readonly ResponsesTool[]): Omit<DecodedTools, 'toolChoice'> => {
  const decoded: Omit<DecodedTools, 'toolChoice'> = { tools: [], names: new Map(), leftOut: [] };
  const add = (tool: ResponsesFunctionTool, namespace?: ResponsesNamespaceTool) => {
    const name = flatName(tool.name, namespace?.name);
    decoded.names.set(name, { name: tool.name, ...(namespace ? { namespace: namespace.name } : {}) });
    decoded.tools.push(chatTool(tool, name, namespace?.description));
  };
  for (const tool of tools) {
    if (isFunction(tool)) add(tool);
    else if (tool.type === 'namespace' && Array.isArray(tool.tools)) {
      const namespace = tool as ResponsesNamespaceTool;
      for (const inner of namespace.tools) {
        if (isFunction(inner)) add(inner, namespace);
        else decoded.leftOut.push(`${shown(namespace.name)}.${builtInName(inner as ResponsesTool)}`);
      }
    } else decoded.leftOut.push(builtInName(tool));
  }
  return decoded;
};

const decodeToolChoice = (choice: ResponsesRequest['tool_choice'], tools: readonly ChatTool[]): ChatRequest['tool_choice'] => {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'none' || choice === 'auto' || choice === 'required') return choice;
  if (choice.type === 'function' && typeof choice.name === 'string') {
    const name = flatName(choice.name, typeof choice.namespace === 'string' ? choice.namespace : undefined);
    if (!tools.some((tool) => tool.function.name === name)) throw GatewayError.invalidRequest(`tool_choice names the function "${choice.name}", which is not among the tools.`, 'tool_choice', 'unknown_tool');
    return { type: 'function', function: { name } };
  }
  // `allowed_tools` restricts and otherwise behaves like its mode.
  if (choice.type === 'allowed_tools') return choice.mode === 'required' ? 'required' : 'auto';
  throw GatewayError.invalidRequest(`tool_choice forces the built-in tool "${choice.type}", which this model's provider cannot run through the gateway.`, 'tool_choice', 'unsupported_tool');
};

/** The function tools of a Responses request for a chat upstream, namespaces flattened. */
export const decodeTools = (request: Pick<ResponsesRequest, 'tools' | 'tool_choice'>): DecodedTools => {
  const decoded = decodeToolList(request.tools ?? []);
  return { ...decoded, toolChoice: decodeToolChoice(request.tool_choice, decoded.tools) };
};

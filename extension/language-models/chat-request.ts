import type { ChatContentPart, ChatMessage, ChatRequest, ChatTool } from '../../proxy/adapters/types.js';
import { classifyPart, isImage, toolResultText } from './input-parts.js';
import type { LanguageModelChatRequestMessage, ProvideLanguageModelChatResponseOptions } from './lm-provider-api.js';

/** `LanguageModelChatMessageRole.Assistant`, and the system role VS Code's chat sends undocumented
 * (anything else is the user). */
const ROLE_ASSISTANT = 2;
const ROLE_SYSTEM = 3;
/** `LanguageModelChatToolMode.Required`. */
const TOOL_MODE_REQUIRED = 2;

const REASONING_EFFORTS = new Set(['minimal', 'low', 'medium', 'high']);

const dataUrl = (mimeType: string, data: Uint8Array): string => `data:${mimeType.toLowerCase()};base64,${Buffer.from(data).toString('base64')}`;

/** Text alone is sent as a string, text with images as content parts. */
const contentOf = (parts: ChatContentPart[]): string | ChatContentPart[] =>
  parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('') : parts;

/** One user (or system) message: its tool results become tool messages first, since they answer
 * the assistant message just before it; images are kept only for models that take them. */
const fromUser = (message: LanguageModelChatRequestMessage, role: 'user' | 'system', acceptsImages: boolean): ChatMessage[] => {
  const toolMessages: ChatMessage[] = [];
  const content: ChatContentPart[] = [];
  for (const item of message.content) {
    const part = classifyPart(item);
    if (part.kind === 'tool-result') toolMessages.push({ role: 'tool', tool_call_id: part.callId, content: toolResultText(part.content) });
    else if (part.kind === 'text') content.push({ type: 'text', text: part.text });
    else if (part.kind === 'data' && acceptsImages && role === 'user' && isImage(part.mimeType)) content.push({ type: 'image_url', image_url: { url: dataUrl(part.mimeType, part.data) } });
  }
  if (content.length === 0) return toolMessages;
  return [...toolMessages, { role, content: contentOf(content), ...(message.name ? { name: message.name } : {}) }];
};

const fromAssistant = (message: LanguageModelChatRequestMessage): ChatMessage => {
  let text = '';
  const toolCalls: NonNullable<ChatMessage['tool_calls']> = [];
  for (const item of message.content) {
    const part = classifyPart(item);
    if (part.kind === 'text') text += part.text;
    else if (part.kind === 'tool-call') toolCalls.push({ id: part.callId, type: 'function', function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) } });
  }
  return toolCalls.length > 0 ? { role: 'assistant', content: text || null, tool_calls: toolCalls } : { role: 'assistant', content: text };
};

/** VS Code's request messages as the gateway's neutral (OpenAI chat) messages. */
export const toChatMessages = (messages: readonly LanguageModelChatRequestMessage[], acceptsImages: boolean): ChatMessage[] =>
  messages.flatMap((message): ChatMessage[] => {
    if (message.role === ROLE_ASSISTANT) return [fromAssistant(message)];
    return fromUser(message, message.role === ROLE_SYSTEM ? 'system' : 'user', acceptsImages);
  });

const toTools = (options: ProvideLanguageModelChatResponseOptions): Pick<ChatRequest, 'tools' | 'tool_choice'> => {
  if (!options.tools?.length) return {};
  const tools: ChatTool[] = options.tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: (tool.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object', properties: {} } },
  }));
  return options.toolMode === TOOL_MODE_REQUIRED ? { tools, tool_choice: 'required' } : { tools };
};

const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The `modelOptions` a caller may pass that mean something to every upstream; others are dropped
 * rather than forwarded unchecked. */
const fromModelOptions = (options: { readonly [name: string]: unknown } = {}): Partial<ChatRequest> => {
  const request: Partial<ChatRequest> = {};
  const temperature = finite(options.temperature);
  const topP = finite(options.top_p ?? options.topP);
  const maxTokens = finite(options.max_tokens ?? options.maxTokens ?? options.maxOutputTokens);
  const seed = finite(options.seed);
  if (temperature !== undefined) request.temperature = temperature;
  if (topP !== undefined) request.top_p = topP;
  if (maxTokens !== undefined && maxTokens > 0) request.max_tokens = Math.floor(maxTokens);
  if (seed !== undefined) request.seed = Math.floor(seed);
  const stop = options.stop;
  if (typeof stop === 'string' || (Array.isArray(stop) && stop.every((entry) => typeof entry === 'string'))) request.stop = stop as string | string[];
  const effort = options.reasoning_effort ?? options.reasoningEffort;
  if (typeof effort === 'string' && REASONING_EFFORTS.has(effort)) request.reasoning_effort = effort as ChatRequest['reasoning_effort'];
  return request;
};

/** The gateway request for one `provideLanguageModelChatResponse` call. */
export const toChatRequest = (model: string, messages: readonly LanguageModelChatRequestMessage[], options: ProvideLanguageModelChatResponseOptions, acceptsImages: boolean): ChatRequest => ({
  ...fromModelOptions(options.modelOptions),
  model,
  messages: toChatMessages(messages, acceptsImages),
  ...toTools(options),
});

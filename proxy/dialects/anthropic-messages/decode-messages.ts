import type { ChatContentPart, ChatMessage, ChatToolCall } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import type { AnthropicContentBlock, AnthropicDocumentBlock, AnthropicImageBlock, AnthropicMessage, AnthropicTextBlock, AnthropicToolResultBlock, AnthropicToolUseBlock } from './wire-types.js';

const blocksOf = (content: AnthropicMessage['content'] | undefined): AnthropicContentBlock[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];

const isText = (block: AnthropicContentBlock): block is AnthropicTextBlock => block.type === 'text' && typeof (block as AnthropicTextBlock).text === 'string';

/** Text blocks joined, for the places OpenAI-like hosts want one string (system, tool results). */
export const plainText = (content: AnthropicMessage['content'] | undefined): string =>
  blocksOf(content)
    .filter(isText)
    .map((block) => block.text)
    .join('\n');

/** A source another provider cannot be given (an Anthropic Files API id, a PDF by URL): refused,
 * since left out the model would answer without it and nobody would know. */
const unsendable = (what: string, sourceType: string): GatewayError =>
  GatewayError.invalidRequest(`An ${what} with a "${sourceType.slice(0, 32)}" source cannot be sent to this model's provider; send it inline (base64${what === 'image' ? ' or a URL' : ' or text'}).`, null, 'unsupported_content');

const imagePart = (block: AnthropicImageBlock): ChatContentPart => {
  const source = block.source as { type: string; media_type?: string; data?: string; url?: string };
  if (source.type === 'base64' && source.data) return { type: 'image_url', image_url: { url: `data:${source.media_type ?? 'image/png'};base64,${source.data}` } };
  if (source.type === 'url' && source.url) return { type: 'image_url', image_url: { url: source.url } };
  throw unsendable('image', String(source.type));
};

/** PDFs go as OpenAI `file` parts; plain-text documents, and documents given as content blocks, as
 * text (and images). */
const documentParts = (block: AnthropicDocumentBlock): ChatContentPart[] => {
  const source = block.source;
  if (source.type === 'text' && typeof source.data === 'string') return [{ type: 'text', text: source.data }];
  if (source.type === 'content') return blocksOf(source.content as AnthropicMessage['content']).flatMap((inner) => (isText(inner) ? [{ type: 'text' as const, text: inner.text }] : inner.type === 'image' ? [imagePart(inner as AnthropicImageBlock)] : []));
  if (source.type === 'base64' && source.data) {
    return [{ type: 'file', file: { filename: block.title ?? 'document.pdf', file_data: `data:${source.media_type ?? 'application/pdf'};base64,${source.data}` } }];
  }
  throw unsendable('document', String(source.type));
};

/** A user turn's parts; blocks with no OpenAI counterpart (server tool results and the like) are left out. */
const userParts = (block: AnthropicContentBlock): ChatContentPart[] => {
  if (isText(block)) return [{ type: 'text', text: block.text }];
  if (block.type === 'image') return [imagePart(block as AnthropicImageBlock)];
  if (block.type === 'document') return documentParts(block as AnthropicDocumentBlock);
  return [];
};

/** Only-text content becomes one string: several OpenAI-like hosts accept nothing else. */
const userContent = (parts: ChatContentPart[]): string | ChatContentPart[] =>
  parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('\n') : parts;

const toolMessage = (block: AnthropicToolResultBlock): ChatMessage => {
  const text = plainText(block.content);
  return { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text };
};

/** Images a tool returned (a screenshot, a file read): OpenAI tool messages hold text only, so they
 * follow in the user's part of the turn. */
const toolResultImages = (block: AnthropicToolResultBlock): ChatContentPart[] =>
  blocksOf(block.content)
    .filter((inner) => inner.type === 'image')
    .map((inner) => imagePart(inner as AnthropicImageBlock));

/** Tool results come first (OpenAI wants them right after the assistant's tool calls), then the
 * rest of the user's turn. */
const convertUser = (message: AnthropicMessage): ChatMessage[] => {
  const blocks = blocksOf(message.content);
  const results = blocks.filter((block) => block.type === 'tool_result') as AnthropicToolResultBlock[];
  const converted: ChatMessage[] = results.map(toolMessage);
  const parts = [...results.flatMap(toolResultImages), ...blocks.flatMap(userParts)];
  if (parts.length > 0) converted.push({ role: 'user', content: userContent(parts) });
  return converted;
};

const toolCall = (block: AnthropicToolUseBlock): ChatToolCall => ({
  id: block.id,
  type: 'function',
  function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
});

/** Thinking blocks are dropped: their signatures mean nothing to another model, and some hosts
 * refuse reasoning in the history they are sent. */
const convertAssistant = (message: AnthropicMessage): ChatMessage[] => {
  const blocks = blocksOf(message.content);
  const text = blocks
    .filter(isText)
    .map((block) => block.text)
    .join('');
  const toolCalls = blocks.filter((block) => block.type === 'tool_use').map((block) => toolCall(block as AnthropicToolUseBlock));
  if (!text && toolCalls.length === 0) return [];
  return [{ role: 'assistant', content: text || null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }];
};

/** Anthropic's turns as OpenAI chat messages. */
export const convertMessages = (messages: AnthropicMessage[]): ChatMessage[] =>
  messages.flatMap((message): ChatMessage[] => {
    if (message.role === 'assistant') return convertAssistant(message);
    if (message.role === 'system') {
      const text = plainText(message.content);
      return text ? [{ role: 'system', content: text }] : [];
    }
    return convertUser(message);
  });

import { GatewayError } from '../../errors.js';
import type { ChatMessage } from '../../adapters/types.js';
import { convertToolResultContent, convertUserContent, systemBlocks, textOfContent } from './encode-content.js';
import { recallThinking } from './thinking-memory.js';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicTextBlock } from './wire-types.js';

export interface ConvertedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
  warnings: string[];
}

/** A thinking block an assistant message carries back, if the client kept its signature: either
 * `reasoning_content` with `reasoning_signature`, or OpenRouter-style `reasoning_details`. Anthropic
 * rejects a thinking block without its signature, so one without is not sent. */
const thinkingBlocks = (message: ChatMessage): AnthropicContentBlock[] => {
  const details = message.reasoning_details;
  if (Array.isArray(details)) {
    return details
      .filter((detail): detail is { text: string; signature: string } => typeof detail?.text === 'string' && typeof detail?.signature === 'string' && detail.signature.length > 0)
      .map((detail) => ({ type: 'thinking', thinking: detail.text, signature: detail.signature }));
  }
  const signature = message.reasoning_signature;
  if (typeof message.reasoning_content === 'string' && typeof signature === 'string' && signature.length > 0) {
    return [{ type: 'thinking', thinking: message.reasoning_content, signature }];
  }
  return [];
};

const parseToolArguments = (text: string, param: string): unknown => {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
  } catch {
    // falls through to the 400 below
  }
  throw GatewayError.invalidRequest('A tool call\'s arguments must be a JSON object for Anthropic.', param, 'invalid_tool_arguments');
};

/** The thinking blocks a client sent back, else those the gateway remembers for its tool calls;
 * the remembered ones also when they hold every block sent and more: a client's format carries
 * signed thinking only, and Anthropic refuses a turn whose redacted_thinking blocks were left out. */
const thinkingOrRemembered = (message: ChatMessage): AnthropicContentBlock[] => {
  const sent = thinkingBlocks(message);
  const firstCall = message.tool_calls?.[0];
  const remembered = firstCall ? recallThinking(firstCall.id) : undefined;
  if (sent.length === 0) return [...(remembered ?? [])];
  const rememberedSignatures = new Set(remembered?.map((block) => (block.type === 'thinking' ? block.signature : undefined)));
  const holdsAllSent = sent.every((block) => rememberedSignatures.has((block as { signature?: string }).signature));
  return remembered && remembered.length > sent.length && holdsAllSent ? [...remembered] : sent;
};

const assistantBlocks = (message: ChatMessage, param: string): AnthropicContentBlock[] => {
  const blocks = thinkingOrRemembered(message);
  const text = textOfContent(message.content);
  if (text) blocks.push({ type: 'text', text });
  (message.tool_calls ?? []).forEach((call, index) => {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments, `${param}.tool_calls[${index}].function.arguments`) });
  });
  return blocks;
};

const isToolResultTurn = (message: AnthropicMessage | undefined): message is AnthropicMessage & { content: AnthropicContentBlock[] } =>
  message?.role === 'user' && Array.isArray(message.content) && message.content.length > 0 && message.content.every((block) => block.type === 'tool_result');

/** OpenAI's messages as Anthropic's: system and developer messages become the top-level system;
 * tool messages become tool_result blocks of a user turn (consecutive ones merged into one turn,
 * as Anthropic wants every result of a turn's tool calls together); assistant tool calls become
 * tool_use blocks. */
export const convertMessages = (messages: ChatMessage[]): ConvertedMessages => {
  const converted: ConvertedMessages = { system: [], messages: [], warnings: [] };
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        converted.system.push(...systemBlocks(message.content));
        break;
      }
      case 'user': {
        const content = convertUserContent(message.content, `${param}.content`);
        converted.warnings.push(...content.warnings);
        if (content.blocks.length > 0) converted.messages.push({ role: 'user', content: content.blocks });
        break;
      }
      case 'assistant': {
        const blocks = assistantBlocks(message, param);
        if (blocks.length > 0) converted.messages.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool': {
        const content = convertToolResultContent(message.content, `${param}.content`);
        converted.warnings.push(...content.warnings);
        const result: AnthropicContentBlock = { type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: content.content };
        const previous = converted.messages.at(-1);
        if (isToolResultTurn(previous)) previous.content.push(result);
        else converted.messages.push({ role: 'user', content: [result] });
        break;
      }
      default:
        converted.warnings.push(`${param}: role "${String((message as { role?: unknown }).role)}" is not supported by Anthropic and was left out.`);
    }
  });
  return converted;
};

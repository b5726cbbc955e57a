import type { AnthropicContentBlock, AnthropicMessage, AnthropicRequest } from './wire-types.js';

/** About four characters a token for English text and code with the common tokenizers. */
const CHARACTERS_PER_TOKEN = 4;
/** Anthropic bills an image at about (width × height) / 750 tokens; the dimensions are not read
 * here, so each image counts as a large one (about 1.15 megapixels). */
const TOKENS_PER_IMAGE = 1_600;
/** Role markers and message framing. */
const TOKENS_PER_MESSAGE = 4;

interface Tally {
  characters: number;
  images: number;
}

const tallyBlock = (block: AnthropicContentBlock, tally: Tally): void => {
  const value = block as Record<string, unknown>;
  if (block.type === 'image') tally.images += 1;
  else if (typeof value.text === 'string') tally.characters += value.text.length;
  else if (typeof value.thinking === 'string') tally.characters += value.thinking.length;
  else if (block.type === 'tool_use') tally.characters += String(value.name ?? '').length + JSON.stringify(value.input ?? {}).length;
  else if (block.type === 'tool_result') tallyContent(value.content as AnthropicMessage['content'] | undefined, tally);
  else if (block.type === 'document') tally.characters += JSON.stringify(value.source ?? '').length;
};

const tallyContent = (content: AnthropicMessage['content'] | undefined, tally: Tally): void => {
  if (typeof content === 'string') tally.characters += content.length;
  else if (Array.isArray(content)) for (const block of content) tallyBlock(block, tally);
};

/** An ESTIMATE of a request's input tokens, from the characters of its system prompt, messages and
 * tool definitions. No upstream is asked: OpenAI-like hosts have no counting endpoint, and the
 * models behind the gateway use different tokenizers anyway. Good enough for a client deciding
 * when to compact its context, not for billing. */
export const estimateInputTokens = (request: Pick<AnthropicRequest, 'system' | 'messages' | 'tools'>): number => {
  const tally: Tally = { characters: 0, images: 0 };
  tallyContent(request.system as AnthropicMessage['content'] | undefined, tally);
  const messages = Array.isArray(request.messages) ? request.messages : [];
  for (const message of messages) tallyContent(message.content, tally);
  for (const tool of request.tools ?? []) tally.characters += JSON.stringify(tool).length;
  return Math.ceil(tally.characters / CHARACTERS_PER_TOKEN) + tally.images * TOKENS_PER_IMAGE + messages.length * TOKENS_PER_MESSAGE;
};

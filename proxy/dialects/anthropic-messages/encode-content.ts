import { GatewayError } from '../../errors.js';
import type { ChatContentPart } from '../../adapters/types.js';
import type { AnthropicContentBlock, AnthropicImageSource, AnthropicTextBlock } from './wire-types.js';

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/** An OpenAI image or file URL as an Anthropic source: `data:` URLs become base64, http(s) URLs a
 * url source (Anthropic fetches them). Anything else is the client's mistake: a 400. */
export const sourceFromUrl = (url: string, param: string): AnthropicImageSource => {
  const data = DATA_URL.exec(url);
  if (data) return { type: 'base64', media_type: data[1]!, data: data[2]! };
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  throw GatewayError.invalidRequest('An image must be a data: URL (base64) or an http(s) URL.', param, 'invalid_image_url');
};

export interface ConvertedContent {
  blocks: AnthropicContentBlock[];
  warnings: string[];
}

/** A user message's content (a string or OpenAI content parts) as Anthropic content blocks. Parts
 * Anthropic cannot take (audio) are dropped with a warning, never sent as something else. */
export const convertUserContent = (content: string | ChatContentPart[] | null | undefined, param: string): ConvertedContent => {
  if (content === null || content === undefined) return { blocks: [], warnings: [] };
  if (typeof content === 'string') return { blocks: content ? [{ type: 'text', text: content }] : [], warnings: [] };
  const blocks: AnthropicContentBlock[] = [];
  const warnings: string[] = [];
  content.forEach((part, index) => {
    const block = convertPart(part, `${param}[${index}]`);
    if (typeof block === 'string') warnings.push(block);
    else if (block) blocks.push(block);
  });
  return { blocks, warnings };
};

/** One content part as a block, `undefined` for an empty text, or a warning (string) when dropped. */
const convertPart = (part: ChatContentPart, param: string): AnthropicContentBlock | string | undefined => {
  switch (part.type) {
    case 'text':
      return textBlock(part);
    case 'image_url': {
      const image = (part as { image_url?: { url?: unknown } | string }).image_url;
      const url = typeof image === 'string' ? image : image?.url;
      if (typeof url !== 'string') throw GatewayError.invalidRequest('An image_url part needs a url.', param, 'invalid_image_url');
      return { type: 'image', source: sourceFromUrl(url, param) };
    }
    case 'file': {
      const fileData = (part as { file?: { file_data?: unknown } }).file?.file_data;
      if (typeof fileData === 'string') return { type: 'document', source: sourceFromUrl(fileData, param) };
      return `${param}: a file part without file_data (uploaded file ids) is not supported by Anthropic and was left out.`;
    }
    default:
      return `${param}: content of type "${part.type}" is not supported by Anthropic and was left out.`;
  }
};

/** A tool message's content as a tool_result's content: text stays a string (an empty one too,
 * which Anthropic accepts there and not as a text block), parts become blocks. */
export const convertToolResultContent = (content: string | ChatContentPart[] | null | undefined, param: string): { content: string | AnthropicContentBlock[]; warnings: string[] } => {
  if (typeof content === 'string' || content === null || content === undefined) return { content: content ?? '', warnings: [] };
  const converted = convertUserContent(content, param);
  return { content: converted.blocks, warnings: converted.warnings };
};

/** A text part as a text block; a `cache_control` marker (the way OpenRouter and LiteLLM let OpenAI
 * clients use Anthropic's prompt cache) is kept. */
const textBlock = (part: ChatContentPart): AnthropicTextBlock | undefined => {
  const { text, cache_control: cacheControl } = part as { text?: unknown; cache_control?: unknown };
  if (typeof text !== 'string' || text.length === 0) return undefined;
  return cacheControl && typeof cacheControl === 'object' ? { type: 'text', text, cache_control: cacheControl } : { type: 'text', text };
};

/** System or developer content as system text blocks, one per text part (cache markers kept). */
export const systemBlocks = (content: string | ChatContentPart[] | null | undefined): AnthropicTextBlock[] => {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  return (content ?? []).map(textBlock).filter((block): block is AnthropicTextBlock => block !== undefined);
};

/** The text of assistant content (Anthropic takes assistant text, not images, back). */
export const textOfContent = (content: string | ChatContentPart[] | null | undefined): string => {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (part.type === 'text' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
};

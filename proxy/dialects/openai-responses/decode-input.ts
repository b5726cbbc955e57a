import type { ChatContentPart, ChatMessage } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import { flatName } from './decode-tools.js';
import type { ReasoningSeal, SealedReasoningBlock } from './reasoning-seal.js';
import type { ResponsesContentPart, ResponsesFunctionCallItem, ResponsesInputItem, ResponsesItemReference, ResponsesMessageItem, ResponsesReasoningItem } from './wire-types.js';

/** What input items are read with: the gateway's seal (its own reasoning items) and its stored
 * items (an `item_reference`; the lookup throws when there is none for this token). */
export interface InputContext {
  seal: ReasoningSeal;
  storedItem(id: string, param: string): ResponsesInputItem;
}

const param = (index: number, field?: string): string => `input[${index}]${field ? `.${field}` : ''}`;

const contentPart = (part: ResponsesContentPart, at: string): ChatContentPart => {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return { type: 'text', text: part.text };
    case 'refusal':
      return { type: 'text', text: part.refusal };
    case 'input_image':
      if (typeof part.image_url !== 'string') throw GatewayError.invalidRequest('An input_image needs an image_url (a URL or a data: URL); file ids are not served by the gateway.', at, 'unsupported_input');
      return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
    case 'input_file':
      if (typeof part.file_data !== 'string') throw GatewayError.invalidRequest('An input_file needs file_data; file ids and file URLs are not served by the gateway.', at, 'unsupported_input');
      return { type: 'file', file: { file_data: part.file_data, ...(part.filename ? { filename: part.filename } : {}) } };
    default:
      throw GatewayError.invalidRequest(`Unknown content type "${String((part as { type?: unknown }).type)}".`, at, 'invalid_value');
  }
};

/** Text-only content stays a string (every upstream takes that); anything else a list of parts. */
const messageContent = (content: ResponsesMessageItem['content'], at: string): ChatMessage['content'] => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw GatewayError.invalidRequest('A message item\'s content must be a string or a list of parts.', at, 'invalid_type');
  const parts = content.map((part, index) => contentPart(part, `${at}[${index}]`));
  return parts.every((part) => part.type === 'text') ? parts.map((part) => (part as { text: string }).text).join('') : parts;
};

/** Folds input items into chat messages: consecutive function calls (and the reasoning before them)
 * become one assistant message, as a chat upstream expects a turn's parallel calls. */
class MessageBuilder {
  readonly messages: ChatMessage[] = [];
  private readonly callIds = new Set<string>();
  private pendingReasoning: SealedReasoningBlock[] = [];
  /** Images and files the tool outputs of this turn returned, sent after all of its results. */
  private pendingToolMedia: ChatContentPart[] = [];

  constructor(private readonly context: InputContext) {}

  add(item: ResponsesInputItem, index: number): void {
    const type = item.type ?? 'message';
    if (type !== 'function_call_output' && type !== 'item_reference') this.flushToolMedia();
    if (type === 'item_reference') return this.addReference(item as ResponsesItemReference, index);
    if (type === 'message') return this.addMessage(item as ResponsesMessageItem, index);
    if (type === 'function_call') return this.addCall(item as ResponsesFunctionCallItem, index);
    if (type === 'function_call_output') return this.addCallOutput(item as Extract<ResponsesInputItem, { type: 'function_call_output' }>, index);
    if (type === 'reasoning') return this.addReasoning(item as ResponsesReasoningItem, index);
    throw GatewayError.invalidRequest(`Unknown input item type "${String(type).slice(0, 100)}".`, param(index, 'type'), 'invalid_value');
  }

  /** A stored item stands where its reference is; a stored item is never itself a reference. */
  private addReference(item: ResponsesItemReference, index: number): void {
    if (typeof item.id !== 'string') throw GatewayError.invalidRequest('An item_reference needs an id.', param(index, 'id'), 'invalid_value');
    const stored = this.context.storedItem(item.id, param(index, 'id'));
    if (stored.type !== 'item_reference') this.add(stored, index);
  }

  private addMessage(item: ResponsesMessageItem, index: number): void {
    if (!['user', 'assistant', 'system', 'developer'].includes(item.role)) throw GatewayError.invalidRequest(`Unknown role "${String(item.role).slice(0, 100)}".`, param(index, 'role'), 'invalid_value');
    const content = messageContent(item.content, param(index, 'content'));
    if (item.role === 'assistant') {
      const last = this.openAssistant();
      // An assistant message after calls of the same turn starts a new message, as in chat.
      if (last && !last.tool_calls && typeof last.content === 'string' && typeof content === 'string') last.content += content;
      else this.messages.push(this.withReasoning({ role: 'assistant', content }));
      return;
    }
    this.messages.push({ role: item.role, content });
  }

  private addCall(item: ResponsesFunctionCallItem, index: number): void {
    if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw GatewayError.invalidRequest('A function_call item needs call_id and name.', param(index), 'invalid_value');
    this.callIds.add(item.call_id);
    const call = { id: item.call_id, type: 'function' as const, function: { name: flatName(item.name, item.namespace), arguments: typeof item.arguments === 'string' ? item.arguments : '' } };
    const last = this.openAssistant();
    if (last) (last.tool_calls ??= []).push(call);
    else this.messages.push(this.withReasoning({ role: 'assistant', content: null, tool_calls: [call] }));
  }

  private addCallOutput(item: Extract<ResponsesInputItem, { type: 'function_call_output' }>, index: number): void {
    // A chat upstream refuses a tool result that answers no call, with a message naming its own
    // message index; the gateway says it in the client's terms and sends nothing.
    if (!this.callIds.has(item.call_id)) throw GatewayError.invalidRequest(`No function_call with call_id "${String(item.call_id).slice(0, 100)}" comes before this function_call_output.`, param(index, 'call_id'), 'invalid_value');
    const content = typeof item.output === 'string' ? item.output : messageContent(item.output, param(index, 'output'));
    if (!Array.isArray(content)) {
      this.messages.push({ role: 'tool', tool_call_id: item.call_id, content });
      return;
    }
    // Chat tool messages hold text only (OpenAI refuses an image there with a 400; Gemini's encoder
    // kept only the text): the text stays, the rest follows the turn's results as the user's.
    const text = content.filter((part) => part.type === 'text').map((part) => (part as { text: string }).text).join('');
    this.messages.push({ role: 'tool', tool_call_id: item.call_id, content: text });
    this.pendingToolMedia.push(...content.filter((part) => part.type !== 'text'));
  }

  /** The turn's tool results are all in: their images and files go as one user message. */
  flushToolMedia(): void {
    if (this.pendingToolMedia.length === 0) return;
    this.messages.push({ role: 'user', content: this.pendingToolMedia });
    this.pendingToolMedia = [];
  }

  /** Reasoning goes with the assistant message that follows it. Only the gateway's own sealed
   * reasoning is read; an item from another server (OpenAI's encrypted content) means nothing to a
   * chat upstream and is left out. */
  private addReasoning(item: ResponsesReasoningItem, index: number): void {
    if (!this.context.seal.claims(item.encrypted_content)) return;
    const blocks = this.context.seal.open(item.encrypted_content);
    if (!blocks) throw GatewayError.invalidRequest('This reasoning item\'s encrypted_content was changed or comes from another gateway.', param(index, 'encrypted_content'), 'invalid_encrypted_content');
    this.pendingReasoning.push(...blocks);
  }

  /** The last message when it is an assistant message of the current turn (no reasoning waiting). */
  private openAssistant(): ChatMessage | undefined {
    const last = this.messages.at(-1);
    return last?.role === 'assistant' && this.pendingReasoning.length === 0 ? last : undefined;
  }

  private withReasoning(message: ChatMessage): ChatMessage {
    const blocks = this.pendingReasoning;
    if (blocks.length === 0) return message;
    this.pendingReasoning = [];
    message.reasoning_content = blocks.map((block) => block.text).join('');
    const signed = blocks.filter((block) => block.signature);
    // Anthropic wants every thinking block back with its own signature (encode-messages.ts).
    if (signed.length === 1 && blocks.length === 1) message.reasoning_signature = signed[0]!.signature;
    else if (signed.length > 0) message.reasoning_details = signed.map((block) => ({ text: block.text, signature: block.signature }));
    return message;
  }
}

/** A Responses conversation as chat messages: the stored history (the input and output items of
 * the previous responses), then the request's input, whose indexes the errors name. */
export const decodeInput = (history: readonly ResponsesInputItem[], input: readonly ResponsesInputItem[], context: InputContext): ChatMessage[] => {
  const builder = new MessageBuilder(context);
  for (const item of history) builder.add(item, -1);
  input.forEach((item, index) => {
    if (!item || typeof item !== 'object') throw GatewayError.invalidRequest('An input item must be an object.', param(index), 'invalid_type');
    builder.add(item, index);
  });
  builder.flushToolMedia();
  return builder.messages;
};

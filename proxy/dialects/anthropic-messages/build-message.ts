import type { AnthropicResponseBlock, AnthropicResponseMessage, AnthropicStreamEvent } from './wire-types.js';

/** Tool input is streamed as JSON text; the whole message carries it parsed. A call cut short
 * (max_tokens) keeps what can be read: an empty object. */
const parseInput = (json: string): unknown => {
  if (!json.trim()) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
};

/** Folds Anthropic stream events into the whole message, so a non-streamed answer is exactly the
 * streamed one collected. */
export class MessageBuilder {
  private message: AnthropicResponseMessage | undefined;
  private readonly inputJson = new Map<number, string>();

  add(event: AnthropicStreamEvent): void {
    if (event.type === 'message_start') {
      this.message = { ...event.message, content: [] };
      return;
    }
    const message = this.message;
    if (!message) return;
    switch (event.type) {
      case 'content_block_start':
        message.content[event.index] = { ...event.content_block } as AnthropicResponseBlock;
        break;
      case 'content_block_delta':
        this.applyDelta(message.content[event.index], event);
        break;
      case 'content_block_stop': {
        const block = message.content[event.index];
        if (block?.type === 'tool_use') block.input = parseInput(this.inputJson.get(event.index) ?? '');
        break;
      }
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = { ...event.usage };
        break;
      default:
        break;
    }
  }

  result(): AnthropicResponseMessage {
    if (!this.message) throw new Error('no message_start was encoded');
    return this.message;
  }

  private applyDelta(block: AnthropicResponseBlock | undefined, event: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>): void {
    const delta = event.delta;
    if (block?.type === 'text' && delta.type === 'text_delta') block.text += delta.text;
    else if (block?.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
    else if (block?.type === 'thinking' && delta.type === 'signature_delta') block.signature += delta.signature;
    else if (block?.type === 'tool_use' && delta.type === 'input_json_delta') this.inputJson.set(event.index, (this.inputJson.get(event.index) ?? '') + delta.partial_json);
  }
}

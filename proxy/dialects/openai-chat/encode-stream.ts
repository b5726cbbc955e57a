import type { ChatPart } from '../../adapters/types.js';
import { usageToOpenAI } from './usage.js';

export interface ChunkEncoderOptions {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
}

/** Turns neutral parts into OpenAI `chat.completion.chunk` objects: the one place translated
 * streams get their OpenAI shape. Returns the chunks a part produces (often one, sometimes none). */
export class OpenAIChunkEncoder {
  private readonly startedChoices = new Set<number>();

  constructor(private readonly options: ChunkEncoderOptions) {}

  encode(part: ChatPart): object[] {
    switch (part.type) {
      case 'text-delta':
        return [this.chunk(part.choice, { content: part.text })];
      case 'reasoning-delta':
        return part.text ? [this.chunk(part.choice, { reasoning_content: part.text })] : [];
      case 'refusal-delta':
        return [this.chunk(part.choice, { refusal: part.text })];
      case 'tool-call-delta': {
        const call: Record<string, unknown> = { index: part.index };
        if (part.id) {
          call.id = part.id;
          call.type = 'function';
        }
        const fn: Record<string, string> = { arguments: part.argumentsDelta };
        if (part.name !== undefined) fn.name = part.name;
        call.function = fn;
        return [this.chunk(part.choice, { tool_calls: [call] })];
      }
      case 'finish':
        return [this.chunk(part.choice, {}, part.reason)];
      case 'usage':
        return this.options.includeUsage ? [Object.assign(this.base([]), { usage: usageToOpenAI(part.usage) })] : [];
      default:
        return [];
    }
  }

  /** A chunk's common fields, written out with its choices: keys added after a spread take V8's slow
   * path (about 1 us a chunk, upstream/http-client.ts). */
  private base(choices: unknown[]) {
    return { id: this.options.id, object: 'chat.completion.chunk', created: this.options.created, model: this.options.model, choices };
  }

  private chunk(choice: number, delta: Record<string, unknown>, finishReason: string | null = null) {
    // The first chunk of a choice carries the role, as OpenAI's do.
    if (!this.startedChoices.has(choice)) {
      this.startedChoices.add(choice);
      delta = { role: 'assistant', ...delta };
      if (!('content' in delta) && finishReason === null && !('tool_calls' in delta)) delta.content = '';
    }
    return this.base([{ index: choice, delta, logprobs: null, finish_reason: finishReason }]);
  }
}

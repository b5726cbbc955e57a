import { randomBytes } from 'node:crypto';
import type { ChatPart, FinishReason, TokenUsage } from '../../adapters/types.js';
import type { AnthropicResponseBlock, AnthropicResponseMessage, AnthropicStopReason, AnthropicStreamEvent, AnthropicUsage } from './wire-types.js';

const STOP_REASONS: Record<FinishReason, AnthropicStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

const ID_BYTES = 18;
/** Random bytes drawn 256 ids at a time: one draw per id measured about 3% of the gateway's CPU on
 * a translated /v1/messages request (npm run bench). */
let randomPool: Buffer = Buffer.alloc(0);
let poolOffset = 0;

const randomIdBytes = (): string => {
  if (poolOffset + ID_BYTES > randomPool.length) {
    randomPool = randomBytes(ID_BYTES * 256);
    poolOffset = 0;
  }
  poolOffset += ID_BYTES;
  return randomPool.toString('base64url', poolOffset - ID_BYTES, poolOffset);
};

/** Ids in Anthropic's style (`msg_`, `toolu_` and 24 base62-ish characters). */
export const anthropicId = (prefix: 'msg' | 'toolu'): string => `${prefix}_01${randomIdBytes().replace(/[-_]/g, 'x').slice(0, 22)}`;

/** Neutral usage in Anthropic's meaning: `input_tokens` excludes the cached and cache-written parts. */
export const usageToAnthropic = (usage: TokenUsage | undefined): AnthropicUsage => {
  const cacheRead = usage?.cachedTokens ?? 0;
  const cacheCreation = usage?.cacheCreationTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.promptTokens ?? 0) - cacheRead - cacheCreation),
    output_tokens: usage?.completionTokens ?? 0,
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
  };
};

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

interface PendingTool {
  toolIndex: number;
  id?: string;
  name?: string;
  arguments: string;
}

export interface AnthropicEncoderOptions {
  model: string;
  id?: string;
  /** The request's input tokens as the gateway estimates them, for message_start: some clients
   * (LangChain's ChatAnthropic) read input tokens there only. message_delta carries the exact count. */
  estimatedInputTokens?: number;
}

/** Turns neutral parts into Anthropic Messages stream events: the one place the Anthropic inbound
 * format is produced (the non-streamed message is these events folded). Only the first choice is
 * encoded; blocks are opened one at a time, each closed before the next opens, as the real API does.
 * Tool-call fragments are expected contiguous per call, as every OpenAI-like host sends them; a
 * fragment for a call whose block is already closed cannot be placed and is left out. */
export class AnthropicEventEncoder {
  readonly messageId: string;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private finishReason: FinishReason | undefined;
  private usage: TokenUsage | undefined;
  private sawToolUse = false;
  private pending: PendingTool | undefined;
  private readonly openedTools = new Set<number>();
  private started = false;

  constructor(private readonly options: AnthropicEncoderOptions) {
    this.messageId = options.id ?? anthropicId('msg');
  }

  /** message_start and an early ping, with the best input count there is: the upstream's when it has
   * already said, else the estimate; message_delta carries the exact one. */
  start(): AnthropicStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const usage = usageToAnthropic(this.usage ?? { promptTokens: this.options.estimatedInputTokens ?? 0, completionTokens: 0 });
    usage.output_tokens = 0;
    const message: AnthropicResponseMessage = { id: this.messageId, type: 'message', role: 'assistant', model: this.options.model, content: [], stop_reason: null, stop_sequence: null, usage };
    return [{ type: 'message_start', message }, { type: 'ping' }];
  }

  encode(part: ChatPart): AnthropicStreamEvent[] {
    const events = this.start();
    if ('choice' in part && part.choice !== 0) return events;
    switch (part.type) {
      case 'text-delta':
      case 'refusal-delta':
        if (part.text) events.push(...this.ensureBlock('text'), this.delta({ type: 'text_delta', text: part.text }));
        break;
      case 'reasoning-delta':
        if (part.text || part.signature) events.push(...this.ensureBlock('thinking'));
        if (part.text) events.push(this.delta({ type: 'thinking_delta', thinking: part.text }));
        if (part.signature) events.push(this.delta({ type: 'signature_delta', signature: part.signature }));
        break;
      case 'tool-call-delta':
        events.push(...this.toolDelta(part));
        break;
      case 'finish':
        this.finishReason = part.reason;
        break;
      case 'usage':
        this.usage = part.usage;
        break;
      default:
        break;
    }
    return events;
  }

  /** Closes the open block, then message_delta (stop reason, final usage) and message_stop. */
  finish(): AnthropicStreamEvent[] {
    const events = [...this.start(), ...this.flushPendingTool(), ...this.closeBlock()];
    // Without the upstream's usage, the input count stays message_start's estimate: the SDKs take any
    // input_tokens message_delta carries, and a 0 here overwrote it.
    const usage: AnthropicUsage = this.usage ? usageToAnthropic(this.usage) : { output_tokens: 0 };
    events.push({ type: 'message_delta', delta: { stop_reason: this.stopReason(), stop_sequence: null }, usage });
    events.push({ type: 'message_stop' });
    return events;
  }

  /** Some hosts finish a tool-calling answer with `stop`; Anthropic clients run tools only on `tool_use`. */
  private stopReason(): AnthropicStopReason {
    const reason = this.finishReason ? STOP_REASONS[this.finishReason] : 'end_turn';
    return this.sawToolUse && reason === 'end_turn' ? 'tool_use' : reason;
  }

  private delta(delta: Extract<AnthropicStreamEvent, { type: 'content_block_delta' }>['delta']): AnthropicStreamEvent {
    return { type: 'content_block_delta', index: (this.open as OpenBlock).index, delta };
  }

  private ensureBlock(kind: 'text' | 'thinking'): AnthropicStreamEvent[] {
    if (this.open?.kind === kind) return [];
    if (this.pending) return [...this.flushPendingTool(), ...this.ensureBlock(kind)];
    const block: AnthropicResponseBlock = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return this.openBlock({ kind, index: this.nextIndex }, block);
  }

  /** A tool_use block needs its name when it opens, so a call's first fragments wait until the
   * name arrives (some hosts send the id alone first). */
  private toolDelta(part: Extract<ChatPart, { type: 'tool-call-delta' }>): AnthropicStreamEvent[] {
    if (this.open?.kind === 'tool' && this.open.toolIndex === part.index) {
      return part.argumentsDelta ? [this.delta({ type: 'input_json_delta', partial_json: part.argumentsDelta })] : [];
    }
    if (this.openedTools.has(part.index)) return [];
    const events = this.pending && this.pending.toolIndex !== part.index ? this.flushPendingTool() : [];
    const pending = (this.pending ??= { toolIndex: part.index, arguments: '' });
    pending.id ??= part.id;
    pending.name ??= part.name;
    pending.arguments += part.argumentsDelta;
    if (pending.name) events.push(...this.flushPendingTool());
    return events;
  }

  private flushPendingTool(): AnthropicStreamEvent[] {
    const pending = this.pending;
    if (!pending) return [];
    this.pending = undefined;
    this.sawToolUse = true;
    this.openedTools.add(pending.toolIndex);
    const events = this.openBlock({ kind: 'tool', index: this.nextIndex, toolIndex: pending.toolIndex }, { type: 'tool_use', id: pending.id ?? anthropicId('toolu'), name: pending.name ?? '', input: {} });
    if (pending.arguments) events.push(this.delta({ type: 'input_json_delta', partial_json: pending.arguments }));
    return events;
  }

  private openBlock(block: OpenBlock, contentBlock: AnthropicResponseBlock): AnthropicStreamEvent[] {
    const events = this.closeBlock();
    this.open = block;
    this.nextIndex += 1;
    events.push({ type: 'content_block_start', index: block.index, content_block: contentBlock });
    return events;
  }

  private closeBlock(): AnthropicStreamEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = undefined;
    return [{ type: 'content_block_stop', index }];
  }
}

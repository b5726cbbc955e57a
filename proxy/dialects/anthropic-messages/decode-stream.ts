import { GatewayError } from '../../errors.js';
import type { ChatPart } from '../../adapters/types.js';
import { errorFromAnthropicStreamEvent } from './read-error.js';
import { finishReasonFromAnthropic, mergeAnthropicUsage, usageFromAnthropic } from './usage.js';
import type { AnthropicStreamEvent, AnthropicUsage } from './wire-types.js';

interface OpenToolCall {
  index: number;
  /** The input content_block_start carried (always `{}` from Anthropic, whose input arrives as deltas). */
  startInput: unknown;
  sentArguments: boolean;
}

/** Turns Anthropic stream events, one at a time, into neutral parts. Client tool_use blocks become
 * tool calls numbered in order; server tools (web search, code execution) run at Anthropic and are
 * not the client's to call, so their blocks are skipped, as are unknown events and deltas. */
export class AnthropicStreamDecoder {
  private usage: AnthropicUsage | undefined;
  /** A message_delta carried usage: the counts are final, not message_start's placeholder output. */
  private sawFinalUsage = false;
  private stopReason: string | null | undefined;
  private toolCallCount = 0;
  private readonly toolCalls = new Map<number, OpenToolCall>();
  private state: 'streaming' | 'stopped' | 'failed' = 'streaming';
  /** Thinking and tool_use blocks as they add up, for the thinking memory (see thinking-memory.ts). */
  private readonly memoryBlocks = new Map<number, { type: string; [field: string]: unknown }>();

  /** `warnings` (about the request) go out with message_start, not before: an error event that
   * comes first must be the first part, so that the client gets its HTTP status. */
  constructor(
    private readonly providerId: string,
    private readonly warnings: ChatPart[] = [],
  ) {}

  /** The answer's thinking and tool_use blocks, once it has stopped (nothing from a failed one). */
  get thinkingAndToolUse(): { type: string; [field: string]: unknown }[] {
    return this.state === 'stopped' ? [...this.memoryBlocks.values()] : [];
  }

  /** True once message_stop or an error event came: nothing after it is read. */
  get done(): boolean {
    return this.state !== 'streaming';
  }

  /** One SSE event (its `data`, and the `event:` name as a fallback for the type). */
  decodeEvent(data: string, eventName: string | undefined): ChatPart[] {
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(data) as AnthropicStreamEvent;
    } catch {
      if (eventName === 'error') return this.fail(errorFromAnthropicStreamEvent(data, this.providerId));
      return this.fail(GatewayError.badUpstreamBody(this.providerId, 'a stream event that is not JSON'));
    }
    if (!event || typeof event !== 'object') return [];
    if (typeof event.type !== 'string' && eventName) (event as { type: string }).type = eventName;
    return this.decode(event);
  }

  decode(event: AnthropicStreamEvent): ChatPart[] {
    switch (event.type) {
      case 'message_start':
        this.usage = event.message?.usage;
        return [{ type: 'response-metadata', id: event.message?.id, model: event.message?.model }, ...this.warnings.splice(0)];
      case 'content_block_start':
        return event.content_block ? this.startBlock(event.index, event.content_block) : [];
      case 'content_block_delta':
        return event.delta ? this.blockDelta(event.index, event.delta) : [];
      case 'content_block_stop':
        return this.stopBlock(event.index);
      case 'message_delta':
        this.sawFinalUsage ||= event.usage !== undefined;
        this.stopReason = event.delta?.stop_reason ?? this.stopReason;
        this.usage = mergeAnthropicUsage(this.usage, event.usage);
        return [];
      case 'message_stop':
        this.state = 'stopped';
        return [{ type: 'finish', choice: 0, reason: finishReasonFromAnthropic(this.stopReason) }, ...this.usageParts()];
      case 'error':
        return this.fail(errorFromAnthropicStreamEvent(JSON.stringify(event), this.providerId));
      default:
        return [];
    }
  }

  /** The body ended. Before message_stop that is an upstream failure, reported as one (with the
   * usage known so far, so the ledger still records it), never a hang or a silent success. */
  end(): ChatPart[] {
    if (this.state !== 'streaming') return [];
    return this.fail(new GatewayError(502, `The upstream provider "${this.providerId}" stream ended early, before message_stop.`, { type: 'upstream_error', code: 'upstream_stream_incomplete' }));
  }

  /** The read of the body itself failed (connection reset, or the gateway's own refusal of it): the
   * same as ending early. */
  broken(cause: unknown): ChatPart[] {
    if (this.state !== 'streaming') return [];
    return this.fail(cause instanceof GatewayError ? cause : GatewayError.upstreamBrokeOff(this.providerId, cause));
  }

  private fail(error: GatewayError): ChatPart[] {
    const usage = this.usageParts();
    this.state = 'failed';
    return [...usage, { type: 'error', error }];
  }

  private usageParts(): ChatPart[] {
    return this.usage ? [{ type: 'usage', usage: usageFromAnthropic(this.usage), ...(this.sawFinalUsage ? {} : { provisional: true }) }] : [];
  }

  private startBlock(blockIndex: number, block: { type: string; [field: string]: unknown }): ChatPart[] {
    if (block.type === 'thinking' || block.type === 'redacted_thinking' || block.type === 'tool_use') this.memoryBlocks.set(blockIndex, { ...block });
    if (block.type === 'text' && typeof block.text === 'string' && block.text) return [{ type: 'text-delta', choice: 0, text: block.text }];
    if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) return [{ type: 'reasoning-delta', choice: 0, text: block.thinking }];
    if (block.type !== 'tool_use') return [];
    const call: OpenToolCall = { index: this.toolCallCount++, startInput: block.input, sentArguments: false };
    this.toolCalls.set(blockIndex, call);
    return [{ type: 'tool-call-delta', choice: 0, index: call.index, id: String(block.id ?? ''), name: String(block.name ?? ''), argumentsDelta: '' }];
  }

  private blockDelta(blockIndex: number, delta: { type: string; [field: string]: unknown }): ChatPart[] {
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' && delta.text ? [{ type: 'text-delta', choice: 0, text: delta.text }] : [];
      case 'thinking_delta':
        if (typeof delta.thinking !== 'string' || !delta.thinking) return [];
        this.extendMemory(blockIndex, 'thinking', delta.thinking);
        return [{ type: 'reasoning-delta', choice: 0, text: delta.thinking }];
      case 'signature_delta':
        if (typeof delta.signature !== 'string') return [];
        this.extendMemory(blockIndex, 'signature', delta.signature);
        return [{ type: 'reasoning-delta', choice: 0, text: '', signature: delta.signature }];
      case 'input_json_delta': {
        const call = this.toolCalls.get(blockIndex);
        if (!call || typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
        call.sentArguments = true;
        return [{ type: 'tool-call-delta', choice: 0, index: call.index, argumentsDelta: delta.partial_json }];
      }
      default:
        return [];
    }
  }

  private extendMemory(blockIndex: number, field: 'thinking' | 'signature', text: string): void {
    const block = this.memoryBlocks.get(blockIndex);
    if (block?.type === 'thinking') block[field] = String(block[field] ?? '') + text;
  }

  /** A tool call whose input came as no delta at all still gets its arguments (`{}`), as OpenAI's do. */
  private stopBlock(blockIndex: number): ChatPart[] {
    const call = this.toolCalls.get(blockIndex);
    if (!call || call.sentArguments) return [];
    call.sentArguments = true;
    return [{ type: 'tool-call-delta', choice: 0, index: call.index, argumentsDelta: JSON.stringify(call.startInput ?? {}) }];
  }
}

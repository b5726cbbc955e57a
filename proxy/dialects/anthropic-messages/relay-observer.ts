import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { AnswerFacts, TokenUsage } from '../../adapters/types.js';
import type { GatewayError } from '../../errors.js';
import { errorFromAnthropicStreamEvent } from './read-error.js';
import { finishReasonFromAnthropic, mergeAnthropicUsage, usageFromAnthropic } from './usage.js';
import type { AnthropicUsage } from './wire-types.js';

/** Watches an Anthropic SSE stream on its way to a client of the same dialect. Each event is
 * re-framed as it completes (none waits for the next) and goes out unchanged, except an `error`
 * event, which may quote what the upstream was sent (the key) and is redacted. Only message_start,
 * message_delta and error events are parsed, for the ledger, with the dialect's one usage mapping. */
export class AnthropicRelayObserver {
  private readonly parser: EventSourceParser;
  private readonly decoder = new StringDecoder('utf8');
  private wireUsage: AnthropicUsage | undefined;
  private output = '';
  error: GatewayError | undefined;
  /** The stop reason and model, read from the events parsed for usage anyway. */
  readonly answer: AnswerFacts = { finishReasons: [] };

  constructor(
    private readonly providerId: string,
    private readonly redact: (text: string) => string,
  ) {
    this.parser = createParser({
      onEvent: (event) => this.onEvent(event.event, event.data),
      onComment: (comment) => {
        this.output += `: ${comment}\n\n`;
      },
    });
  }

  /** Feeds one upstream chunk; returns what to write to the client now (may be empty). */
  push(chunk: Buffer): string {
    this.parser.feed(this.decoder.write(chunk));
    const ready = this.output;
    this.output = '';
    return ready;
  }

  /** The upstream's body ended: an event left without its closing blank line still goes out. */
  end(): string {
    this.parser.feed(this.decoder.end() + '\n\n');
    const ready = this.output;
    this.output = '';
    return ready;
  }

  get usage(): TokenUsage | undefined {
    return this.wireUsage ? usageFromAnthropic(this.wireUsage) : undefined;
  }

  private onEvent(name: string | undefined, data: string): void {
    const forwarded = name === 'error' ? this.redact(data) : data;
    this.output += `${name ? `event: ${name}\n` : ''}data: ${forwarded.includes('\n') ? forwarded.split('\n').join('\ndata: ') : forwarded}\n\n`;
    if (name === 'error') this.error = errorFromAnthropicStreamEvent(data, this.providerId);
    else if (name === 'message_start' || name === 'message_delta') this.readUsage(name, data);
  }

  private readUsage(name: 'message_start' | 'message_delta', data: string): void {
    let event: { message?: { usage?: AnthropicUsage; model?: string }; usage?: AnthropicUsage; delta?: { stop_reason?: string | null } };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    const usage = name === 'message_start' ? event.message?.usage : event.usage;
    if (usage) this.wireUsage = mergeAnthropicUsage(this.wireUsage, usage);
    if (typeof event.message?.model === 'string') this.answer.model = event.message.model;
    if (typeof event.delta?.stop_reason === 'string') this.answer.finishReasons = [finishReasonFromAnthropic(event.delta.stop_reason)];
  }
}

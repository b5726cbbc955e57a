import { redactJsonText } from '../../logger.js';
import type { AnswerFacts, TokenUsage } from '../../adapters/types.js';
import type { GatewayError } from '../../errors.js';
import { EventReframer } from '../../sse/event-reframer.js';
import { errorFromAnthropicStreamEvent } from './read-error.js';
import { finishReasonFromAnthropic, mergeAnthropicUsage, usageFromAnthropic } from './usage.js';
import type { AnthropicUsage } from './wire-types.js';

/** Watches an Anthropic SSE stream on its way to a client of the same dialect. Each event is
 * re-framed as it completes (none waits for the next) and goes out unchanged, except an `error`
 * event, which may quote what the upstream was sent (the key) and is redacted. Only message_start,
 * message_delta and error events are parsed, for the ledger, with the dialect's one usage mapping. */
export class AnthropicRelayObserver extends EventReframer {
  private wireUsage: AnthropicUsage | undefined;
  private sawFinalUsage = false;
  error: GatewayError | undefined;
  /** The stop reason and model, read from the events parsed for usage anyway. */
  readonly answer: AnswerFacts = { finishReasons: [] };

  constructor(
    private readonly providerId: string,
    private readonly redact: (text: string) => string,
  ) {
    super();
  }

  /** No message_delta came: the usage is message_start's, with its placeholder output count. */
  get usageProvisional(): boolean {
    return !this.sawFinalUsage;
  }

  get usage(): TokenUsage | undefined {
    return this.wireUsage ? usageFromAnthropic(this.wireUsage) : undefined;
  }

  protected forward(name: string | undefined, data: string): string {
    if (name === 'error') {
      this.error = errorFromAnthropicStreamEvent(data, this.providerId);
      return redactJsonText(data, this.redact);
    }
    if (name === 'message_start' || name === 'message_delta') this.readUsage(name, data);
    return data;
  }

  private readUsage(name: 'message_start' | 'message_delta', data: string): void {
    let event: { message?: { usage?: AnthropicUsage; model?: string }; usage?: AnthropicUsage; delta?: { stop_reason?: string | null } };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    const usage = name === 'message_start' ? event.message?.usage : event.usage;
    if (name === 'message_delta' && usage) this.sawFinalUsage = true;
    if (usage) this.wireUsage = mergeAnthropicUsage(this.wireUsage, usage);
    if (typeof event.message?.model === 'string') this.answer.model = event.message.model;
    if (typeof event.delta?.stop_reason === 'string') this.answer.finishReasons = [finishReasonFromAnthropic(event.delta.stop_reason)];
  }
}

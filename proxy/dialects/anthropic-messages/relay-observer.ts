import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { TokenUsage } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Anthropic usage with OpenAI's meaning: every input token counts as a prompt token. */
export const usageFromAnthropic = (usage: WireUsage | undefined): TokenUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheCreation = usage.cache_creation_input_tokens ?? 0;
  const result: TokenUsage = { promptTokens: (usage.input_tokens ?? 0) + cacheRead + cacheCreation, completionTokens: usage.output_tokens ?? 0 };
  if (cacheRead) result.cachedTokens = cacheRead;
  if (cacheCreation) result.cacheCreationTokens = cacheCreation;
  return result;
};

/** Fields a later report leaves out keep their earlier value; the ones it gives win (message_delta
 * usage is cumulative). */
const mergeUsage = (earlier: WireUsage, later: WireUsage): WireUsage => {
  const merged: WireUsage = { ...earlier };
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    if (typeof later[key] === 'number') merged[key] = later[key];
  }
  return merged;
};

/** Watches an Anthropic SSE stream on its way to the client: only message_start, message_delta and
 * error events are parsed, for the ledger. The bytes themselves are relayed untouched elsewhere. */
export class AnthropicUsageObserver {
  private readonly parser: EventSourceParser;
  private wireUsage: WireUsage | undefined;
  error: GatewayError | undefined;

  constructor() {
    this.parser = createParser({ onEvent: (event) => this.onEvent(event.event, event.data) });
  }

  push(text: string): void {
    this.parser.feed(text);
  }

  get usage(): TokenUsage | undefined {
    return usageFromAnthropic(this.wireUsage);
  }

  private onEvent(name: string | undefined, data: string): void {
    if (name !== 'message_start' && name !== 'message_delta' && name !== 'error') return;
    let event: { message?: { usage?: WireUsage }; usage?: WireUsage; error?: { type?: string; message?: string } };
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (name === 'error') {
      this.error = new GatewayError(502, event.error?.message ?? 'The upstream reported an error mid-stream.', { type: 'upstream_error', code: event.error?.type ?? null });
      return;
    }
    const usage = name === 'message_start' ? event.message?.usage : event.usage;
    if (usage) this.wireUsage = mergeUsage(this.wireUsage ?? {}, usage);
  }
}

import { redactJsonText } from '../../logger.js';
import type { TokenUsage } from '../../adapters/types.js';
import type { GatewayError } from '../../errors.js';
import { EventReframer } from '../../sse/event-reframer.js';
import { errorFromErrorEvent, errorFromStreamError, type StreamError } from './read-error.js';
import { usageFromResponses } from './usage.js';
import type { ResponsesUsage } from './wire-types.js';

/** The events that carry the whole response object (with its `model` and, once done, `usage`). */
const RESPONSE_EVENTS = new Set(['response.created', 'response.queued', 'response.in_progress', 'response.completed', 'response.incomplete', 'response.failed']);
/** OpenAI writes `type` first; an event without an `event:` line is named from it. */
const LEADING_TYPE = /^\{\s*"type"\s*:\s*"([^"\\]+)"/;

/** An event's type: its `event:` line, else its data's `type` (parsed only when not written first). */
const typeOf = (name: string | undefined, data: string): string | undefined => {
  if (name) return name;
  const leading = LEADING_TYPE.exec(data)?.[1];
  if (leading) return leading;
  try {
    const type = (JSON.parse(data) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
};

interface ResponseEvent {
  type?: string;
  response?: { id?: unknown; model?: unknown; usage?: ResponsesUsage | null; error?: StreamError | null };
}

/** Watches a Responses SSE stream on its way to a client of the same API. Each event is re-framed
 * as it completes (none waits for the next) and goes out as it came, except: the events carrying
 * the response object name the model as the client did (the upstream names its own id, often a
 * dated snapshot), and `error` and `response.failed` events, which may quote what the upstream was
 * sent (the key), are redacted. Only those events are parsed: usage from the last of them, the
 * failure from `error` (or `response.failed` when no `error` came first). */
export class ResponsesRelayObserver extends EventReframer {
  usage: TokenUsage | undefined;
  error: GatewayError | undefined;
  /** The upstream's id of the response (its provider keeps it under that id). */
  responseId: string | undefined;

  constructor(
    private readonly providerId: string,
    private readonly clientModel: string,
    private readonly redact: (text: string) => string,
  ) {
    super();
  }

  protected forward(name: string | undefined, data: string): string {
    const type = typeOf(name, data);
    if (type === 'error') return this.onError(data);
    if (type !== undefined && RESPONSE_EVENTS.has(type)) return this.onResponseEvent(data);
    return data;
  }

  private onError(data: string): string {
    this.error ??= errorFromErrorEvent(data, this.providerId);
    return redactJsonText(data, this.redact);
  }

  /** Reads usage (and a failure) and names the client's model; an event that does not parse goes
   * out as it came. */
  private onResponseEvent(data: string): string {
    let event: ResponseEvent;
    try {
      event = JSON.parse(data);
    } catch {
      return data;
    }
    const response = event.response;
    if (!response || typeof response !== 'object') return data;
    if (typeof response.id === 'string') this.responseId ??= response.id;
    const usage = usageFromResponses(response.usage);
    if (usage) this.usage = usage;
    namedAsAsked(response, this.clientModel);
    if (event.type !== 'response.failed') return JSON.stringify(event);
    if (response.error && typeof response.error === 'object') this.error ??= errorFromStreamError(response.error, this.providerId);
    return this.redact(JSON.stringify(event));
  }
}

/** A response object naming the model as the client did (the upstream names its own id). */
export const namedAsAsked = (response: { model?: unknown }, model: string): void => {
  if (typeof response.model === 'string') response.model = model;
};

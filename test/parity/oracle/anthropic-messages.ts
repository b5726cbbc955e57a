import type { DecodedAnswer, ErrorView, ReportedUsage } from '../neutral-view.js';
import { ChoicesBuilder } from './choices.js';
import { count, framingViolations, isEventStream, type HttpAnswer } from './http-answer.js';
import { parseSse, tryJson } from './sse.js';

/** The oracle for Anthropic's Messages format, used both to read Anthropic recordings and to read
 * what the gateway answers an Anthropic client. Client tools only: server tools (web search, code
 * execution) ran at Anthropic and are nobody's to call. Independent of the gateway's decoders. */

/** Anthropic's stop reasons in OpenAI's words. */
const FINISH_BY_STOP_REASON: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic's documented HTTP status for each error type (an error event inside a stream has none). */
const STATUS_BY_ERROR_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const finishReason = (stopReason: unknown): string | null => (typeof stopReason === 'string' ? (FINISH_BY_STOP_REASON[stopReason] ?? stopReason) : null);

/** Usage in OpenAI's meaning: every input token is a prompt token, the cached and cache-written ones
 * included; output_tokens include thinking, whose count (when given) is the reasoning part. */
export const anthropicUsage = (usage: any): ReportedUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheCreation = count(usage.cache_creation_input_tokens);
  return {
    promptTokens: count(usage.input_tokens) + cacheRead + cacheCreation,
    completionTokens: count(usage.output_tokens),
    cachedTokens: cacheRead,
    cacheCreationTokens: cacheCreation,
    reasoningTokens: count(usage.output_tokens_details?.thinking_tokens),
  };
};

/** The ledger's error code for an Anthropic error body (or error event): its type. */
export const anthropicErrorCode = (body: any): string | null => (typeof body?.error?.type === 'string' ? body.error.type : null);

const errorStatus = (body: any): number => STATUS_BY_ERROR_TYPE[String(body?.error?.type)] ?? 502;

const wholeMessage = (message: any): Pick<DecodedAnswer, 'choices' | 'usage' | 'error'> => {
  if (message?.type === 'error') return { choices: [], error: { status: errorStatus(message) } };
  const builder = new ChoicesBuilder();
  const state = builder.choice(0);
  let calls = 0;
  for (const block of message?.content ?? []) {
    if (block.type === 'text') state.text += block.text ?? '';
    else if (block.type === 'thinking') state.reasoning += block.thinking ?? '';
    else if (block.type === 'tool_use') builder.call(0, calls++, block.name).whole = block.input ?? {};
  }
  state.finishReason = finishReason(message?.stop_reason);
  return { choices: builder.build(), usage: anthropicUsage(message?.usage), error: null };
};

/** message_delta's usage is cumulative: each counter it gives replaces message_start's. */
const mergeUsage = (earlier: any, later: any): any => {
  const merged = { ...(earlier ?? {}) };
  for (const [key, value] of Object.entries(later ?? {})) if (typeof value === 'number' || key === 'output_tokens_details') merged[key] = value;
  return merged;
};

const streamedMessage = (body: string): Pick<DecodedAnswer, 'choices' | 'usage' | 'error' | 'violations'> => {
  const builder = new ChoicesBuilder();
  const state = builder.choice(0);
  const toolByBlock = new Map<number, number>();
  const violations: string[] = [];
  let calls = 0;
  let usage: any;
  let error: ErrorView | null = null;
  for (const sse of parseSse(body)) {
    const event = tryJson(sse.data);
    if (event === undefined) {
      violations.push('an event is not JSON');
      continue;
    }
    const type = event.type ?? sse.event;
    if (type === 'message_start') usage = mergeUsage(usage, event.message?.usage);
    else if (type === 'content_block_start') {
      const block = event.content_block ?? {};
      if (block.type === 'text') state.text += block.text ?? '';
      else if (block.type === 'thinking') state.reasoning += block.thinking ?? '';
      else if (block.type === 'tool_use') {
        toolByBlock.set(event.index, calls);
        builder.call(0, calls++, block.name).whole = block.input ?? {};
      }
    } else if (type === 'content_block_delta') {
      const delta = event.delta ?? {};
      if (delta.type === 'text_delta') state.text += delta.text ?? '';
      else if (delta.type === 'thinking_delta') state.reasoning += delta.thinking ?? '';
      else if (delta.type === 'input_json_delta' && toolByBlock.has(event.index)) builder.call(0, toolByBlock.get(event.index) as number).argumentsText += delta.partial_json ?? '';
    } else if (type === 'message_delta') {
      if (event.delta?.stop_reason !== undefined) state.finishReason = finishReason(event.delta.stop_reason);
      usage = mergeUsage(usage, event.usage);
    } else if (type === 'error') error ??= { status: errorStatus(event) };
  }
  return { choices: builder.build(), usage: anthropicUsage(usage), error, violations };
};

/** One Anthropic answer, whole or streamed; `streamed` says which the client asked for. */
export const decodeAnthropicMessage = (answer: HttpAnswer, streamed: boolean): DecodedAnswer => {
  if (answer.status >= 400) return { choices: [], error: { status: answer.status }, violations: [] };
  const violations = framingViolations(answer, streamed);
  if (isEventStream(answer)) {
    const decoded = streamedMessage(answer.body);
    return { ...decoded, violations: [...violations, ...decoded.violations] };
  }
  const json = tryJson(answer.body);
  if (json === undefined) return { choices: [], error: null, violations: [...violations, 'the body is not JSON'] };
  return { ...wholeMessage(json), violations };
};

/** The error an in-stream `error` event's payload stands for (a recording of one event's data). */
export const anthropicStreamErrorStatus = errorStatus;

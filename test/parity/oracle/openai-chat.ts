import type { DecodedAnswer, ErrorView, ReportedUsage } from '../neutral-view.js';
import { ChoicesBuilder } from './choices.js';
import { count, framingViolations, isEventStream, type HttpAnswer } from './http-answer.js';
import { parseSse, tryJson } from './sse.js';

/** The oracle for OpenAI's chat completions format, as OpenAI and compatible hosts write it and as
 * an OpenAI client reads it: used both to read OpenAI-dialect recordings and to read what the
 * gateway answers an OpenAI client. Independent of the gateway's own decoders. */

/** The HTTP status an error type stands for when an error arrives inside a stream without one. */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
};

const inStreamStatus = (error: { code?: unknown; type?: unknown }): number => {
  const code = Number(error.code);
  if (code >= 400 && code <= 599) return code;
  return STATUS_BY_TYPE[String(error.type)] ?? 502;
};

/** Usage in OpenAI's meaning. xAI counts reasoning tokens apart from completion_tokens (its
 * total_tokens is prompt + completion + reasoning); they are output, so they are added back. */
export const openAIUsage = (usage: any): ReportedUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  const reasoningApart = reasoning > 0 && count(usage.total_tokens) === prompt + completion + reasoning;
  const reported: ReportedUsage = {
    promptTokens: prompt,
    completionTokens: reasoningApart ? completion + reasoning : completion,
    cachedTokens: count(usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens),
    cacheCreationTokens: 0,
    reasoningTokens: reasoning,
  };
  if (typeof usage.cost === 'number') reported.upstreamCostUsd = usage.cost;
  return reported;
};

/** The ledger's error code for an OpenAI error body: its code, else its type. */
export const openAIErrorCode = (body: any): string | null => {
  const error = (Array.isArray(body) ? body[0] : body)?.error;
  if (!error || typeof error !== 'object') return null;
  if (error.code !== undefined && error.code !== null) return String(error.code);
  return typeof error.type === 'string' ? error.type : null;
};

const wholeAnswer = (json: any, status: number): Pick<DecodedAnswer, 'choices' | 'usage' | 'error'> => {
  if (json?.error && !Array.isArray(json.choices)) {
    // OpenRouter answers some failures with 200 and the real status in error.code.
    return { choices: [], error: { status: status >= 400 ? status : inStreamStatus(json.error) } };
  }
  const builder = new ChoicesBuilder();
  for (const [position, choice] of (json?.choices ?? []).entries()) {
    const index = typeof choice.index === 'number' ? choice.index : position;
    const state = builder.choice(index);
    const message = choice.message ?? {};
    state.text += message.content ?? '';
    state.refusal += message.refusal ?? '';
    state.reasoning += message.reasoning_content ?? message.reasoning ?? '';
    for (const [callPosition, call] of (message.tool_calls ?? []).entries()) {
      builder.call(index, callPosition, call.function?.name).argumentsText += call.function?.arguments ?? '';
    }
    state.finishReason = choice.finish_reason ?? null;
  }
  return { choices: builder.build(), usage: openAIUsage(json?.usage), error: null };
};

/** Tool-call deltas by index; hosts that send none (Mistral) are placed by id, a new id opening a
 * new call and a delta without one continuing the last. */
class ToolSlots {
  private readonly byId = new Map<string, number>();
  private last = new Map<number, number>();
  private count = new Map<number, number>();

  slot(choice: number, call: any, position: number): number {
    if (typeof call.index === 'number') return call.index;
    if (!call.id) return this.last.get(choice) ?? position;
    const key = `${choice}:${call.id}`;
    let slot = this.byId.get(key);
    if (slot === undefined) {
      slot = this.count.get(choice) ?? 0;
      this.byId.set(key, slot);
      this.count.set(choice, slot + 1);
    }
    this.last.set(choice, slot);
    return slot;
  }
}

const streamedAnswer = (body: string): Pick<DecodedAnswer, 'choices' | 'usage' | 'error' | 'violations'> => {
  const builder = new ChoicesBuilder();
  const slots = new ToolSlots();
  const violations: string[] = [];
  let usage: ReportedUsage | undefined;
  let error: ErrorView | null = null;
  for (const event of parseSse(body)) {
    if (event.data === '[DONE]') continue;
    const chunk = tryJson(event.data);
    if (chunk === undefined) {
      violations.push('an event is not JSON');
      continue;
    }
    if (chunk.error) {
      error ??= { status: inStreamStatus(chunk.error) };
      continue;
    }
    for (const [position, choice] of (chunk.choices ?? []).entries()) {
      const index = typeof choice.index === 'number' ? choice.index : position;
      const state = builder.choice(index);
      const delta = choice.delta ?? {};
      state.text += delta.content ?? '';
      state.refusal += delta.refusal ?? '';
      state.reasoning += delta.reasoning_content ?? delta.reasoning ?? '';
      for (const [callPosition, call] of (delta.tool_calls ?? []).entries()) {
        builder.call(index, slots.slot(index, call, callPosition), call.function?.name).argumentsText += call.function?.arguments ?? '';
      }
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
    }
    usage = openAIUsage(chunk.usage ?? chunk.x_groq?.usage) ?? usage;
  }
  return { choices: builder.build(), usage, error, violations };
};

/** One OpenAI chat answer, whole or streamed; `streamed` says which the client asked for. */
export const decodeOpenAIChat = (answer: HttpAnswer, streamed: boolean): DecodedAnswer => {
  if (answer.status >= 400) return { choices: [], error: { status: answer.status }, violations: [] };
  const violations = framingViolations(answer, streamed);
  if (isEventStream(answer)) {
    const decoded = streamedAnswer(answer.body);
    return { ...decoded, violations: [...violations, ...decoded.violations] };
  }
  const json = tryJson(answer.body);
  if (json === undefined) return { choices: [], error: null, violations: [...violations, 'the body is not JSON'] };
  return { ...wholeAnswer(json, answer.status), violations };
};

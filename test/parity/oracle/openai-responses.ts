import type { DecodedAnswer, ErrorView, ReportedUsage } from '../neutral-view.js';
import { ChoicesBuilder } from './choices.js';
import { count, framingViolations, isEventStream, type HttpAnswer } from './http-answer.js';
import { parseSse, tryJson } from './sse.js';

/** The oracle for OpenAI's Responses format, as a Responses client reads it: the output items of
 * the response object, or the stream's events (deltas, then the final response's status and usage).
 * Independent of the gateway's encoder. One answer per response, so one choice. */

/** The HTTP status an error type stands for when an error arrives inside a stream. */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  insufficient_quota: 429,
  server_error: 500,
  api_error: 500,
  timeout_error: 504,
};

const inStreamStatus = (error: { code?: unknown; type?: unknown }): number => {
  const code = Number(error.code);
  if (code >= 400 && code <= 599) return code;
  return STATUS_BY_TYPE[String(error.type)] ?? STATUS_BY_TYPE[String(error.code)] ?? 502;
};

/** Responses usage already has OpenAI's meaning: input counts cached tokens, output reasoning. */
const responsesUsage = (usage: any): ReportedUsage | undefined => {
  if (!usage || typeof usage !== 'object') return undefined;
  return {
    promptTokens: count(usage.input_tokens),
    completionTokens: count(usage.output_tokens),
    cachedTokens: count(usage.input_tokens_details?.cached_tokens),
    cacheCreationTokens: 0,
    reasoningTokens: count(usage.output_tokens_details?.reasoning_tokens),
  };
};

/** A finished response's status in chat's finish reasons: cut short by the token limit or a
 * filter, else a turn that calls tools, else a plain stop. A failed or unfinished one has none. */
const finishReason = (response: any, calledTools: boolean): string | null => {
  if (response?.status === 'incomplete') return response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length';
  if (response?.status !== 'completed') return null;
  return calledTools ? 'tool_calls' : 'stop';
};

const summaryText = (item: any): string => (item.summary ?? []).map((part: any) => part.text ?? '').join('') + (item.content ?? []).map((part: any) => part.text ?? '').join('');

const wholeResponse = (response: any): Pick<DecodedAnswer, 'choices' | 'usage' | 'error'> => {
  if (response?.error && response.status !== 'completed') return { choices: [], error: { status: inStreamStatus(response.error) } };
  const builder = new ChoicesBuilder();
  const state = builder.choice(0);
  let calls = 0;
  for (const item of response?.output ?? []) {
    if (item.type === 'message') {
      for (const part of item.content ?? []) {
        if (part.type === 'output_text') state.text += part.text ?? '';
        else if (part.type === 'refusal') state.refusal += part.refusal ?? '';
      }
    } else if (item.type === 'reasoning') state.reasoning += summaryText(item);
    else if (item.type === 'function_call') builder.call(0, calls++, item.name).argumentsText += item.arguments ?? '';
  }
  state.finishReason = finishReason(response, calls > 0);
  return { choices: builder.build(), usage: responsesUsage(response?.usage), error: null };
};

/** The stream read from its deltas (not from the final response's output), so that a final object
 * that disagrees with what was streamed shows as a difference. */
const streamedResponse = (body: string): Pick<DecodedAnswer, 'choices' | 'usage' | 'error' | 'violations'> => {
  const builder = new ChoicesBuilder();
  const state = builder.choice(0);
  const callByItem = new Map<string, number>();
  const violations: string[] = [];
  let usage: ReportedUsage | undefined;
  let error: ErrorView | null = null;
  let expectedSequence = 0;
  for (const sse of parseSse(body)) {
    const event = tryJson(sse.data);
    if (event === undefined) {
      violations.push('an event is not JSON');
      continue;
    }
    if (event.sequence_number !== expectedSequence++) violations.push(`event ${expectedSequence - 1} has sequence_number ${event.sequence_number}`);
    if (sse.event !== undefined && sse.event !== event.type) violations.push(`the event line says ${sse.event} for a ${event.type}`);
    switch (event.type) {
      case 'response.output_text.delta':
        state.text += event.delta ?? '';
        break;
      case 'response.refusal.delta':
        state.refusal += event.delta ?? '';
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        state.reasoning += event.delta ?? '';
        break;
      case 'response.output_item.added':
        if (event.item?.type === 'function_call') {
          callByItem.set(event.item.id, callByItem.size);
          builder.call(0, callByItem.size - 1, event.item.name).argumentsText += event.item.arguments ?? '';
        }
        break;
      case 'response.function_call_arguments.delta':
        if (callByItem.has(event.item_id)) builder.call(0, callByItem.get(event.item_id) as number).argumentsText += event.delta ?? '';
        else violations.push('arguments for a function call never added');
        break;
      case 'response.completed':
      case 'response.incomplete':
        state.finishReason = finishReason(event.response, callByItem.size > 0);
        usage = responsesUsage(event.response?.usage);
        break;
      case 'error':
        error ??= { status: inStreamStatus(event.error ?? event) };
        break;
    }
  }
  return { choices: builder.build(), usage, error, violations };
};

/** One Responses answer, whole or streamed; `streamed` says which the client asked for. */
export const decodeOpenAIResponses = (answer: HttpAnswer, streamed: boolean): DecodedAnswer => {
  if (answer.status >= 400) return { choices: [], error: { status: answer.status }, violations: [] };
  const violations = framingViolations(answer, streamed);
  if (isEventStream(answer)) {
    const decoded = streamedResponse(answer.body);
    return { ...decoded, violations: [...violations, ...decoded.violations] };
  }
  const json = tryJson(answer.body);
  if (json === undefined) return { choices: [], error: null, violations: [...violations, 'the body is not JSON'] };
  return { ...wholeResponse(json), violations };
};

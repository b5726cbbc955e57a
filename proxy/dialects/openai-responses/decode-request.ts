import { z } from 'zod';
import type { ChatMessage, ChatRequest } from '../../adapters/types.js';
import { validate } from '../../validate.js';
import { decodeInput, type InputContext } from './decode-input.js';
import { decodeTools, type ClientToolName } from './decode-tools.js';
import type { ResponsesInputItem, ResponsesRequest } from './wire-types.js';

/** Only what the gateway relies on is checked; every other field is accepted (and, relayed to a
 * Responses upstream, passed on). Items are checked one by one in decode-input.ts, which names them. */
export const responsesRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.object({}).passthrough())]).optional(),
    instructions: z.string().optional().nullable(),
    stream: z.boolean().optional().nullable(),
    store: z.boolean().optional().nullable(),
    previous_response_id: z.string().min(1).optional().nullable(),
    tools: z.array(z.object({ type: z.string() }).passthrough()).optional().nullable(),
    max_output_tokens: z.number().int().min(1).optional().nullable(),
    include: z.array(z.string()).optional().nullable(),
  })
  .passthrough();

export const checkResponsesRequest = (body: unknown): ResponsesRequest => {
  validate(responsesRequestSchema, body);
  return body as ResponsesRequest;
};

/** The request's input as items: a string is one user message. */
export const inputItems = (input: ResponsesRequest['input']): ResponsesInputItem[] =>
  typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : (input ?? []);

export interface DecodedResponsesRequest {
  chat: ChatRequest;
  /** Upstream function names -> the client's names (namespaced tools). */
  toolNames: Map<string, ClientToolName>;
  /** Tools left out of the upstream request, for the warning header and the log. */
  leftOutTools: string[];
}

const EFFORTS: Record<string, ChatRequest['reasoning_effort']> = { minimal: 'minimal', low: 'low', medium: 'medium', high: 'high', xhigh: 'high' };

const responseFormatOf = (format: NonNullable<ResponsesRequest['text']>['format']): ChatRequest['response_format'] => {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return undefined;
  return { type: 'json_schema', json_schema: { name: format.name ?? 'output', schema: format.schema, ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}) } };
};

/** Sampling and output options that have a chat counterpart; the rest (metadata, include,
 * prompt_cache_key, truncation, service_tier) mean nothing to a chat upstream and are dropped. */
const copyOptions = (request: ResponsesRequest, chat: ChatRequest): void => {
  if (typeof request.max_output_tokens === 'number') chat.max_tokens = request.max_output_tokens;
  if (typeof request.temperature === 'number') chat.temperature = request.temperature;
  if (typeof request.top_p === 'number') chat.top_p = request.top_p;
  const user = request.safety_identifier ?? request.user;
  if (typeof user === 'string') chat.user = user;
  const effort = EFFORTS[String(request.reasoning?.effort)];
  if (effort) chat.reasoning_effort = effort;
  const responseFormat = responseFormatOf(request.text?.format);
  if (responseFormat) chat.response_format = responseFormat;
};

/** A Responses request (after the stored history it continues) as the gateway's neutral chat
 * request. Instructions come first, as a system message; a previous response's instructions are
 * not carried over, as OpenAI documents. */
export const toChatRequest = (request: ResponsesRequest, history: readonly ResponsesInputItem[], context: InputContext, stream: boolean): DecodedResponsesRequest => {
  const messages: ChatMessage[] = request.instructions ? [{ role: 'system', content: request.instructions }] : [];
  messages.push(...decodeInput(history, inputItems(request.input), context));
  const chat: ChatRequest = { model: request.model, messages, stream };
  copyOptions(request, chat);
  const tools = decodeTools(request);
  if (tools.tools.length > 0) {
    chat.tools = tools.tools;
    if (tools.toolChoice) chat.tool_choice = tools.toolChoice;
    if (typeof request.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = request.parallel_tool_calls;
  }
  return { chat, toolNames: tools.names, leftOutTools: tools.leftOut };
};

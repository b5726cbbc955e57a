import type { ChatPart, FinishReason } from '../../adapters/types.js';
import { GatewayError } from '../../errors.js';
import { errorInOkAnswer } from '../../upstream/upstream-error.js';
import { usageFromOpenAI } from './usage.js';

interface ChunkToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface ChunkChoice {
  index?: number;
  delta?: {
    content?: string | null;
    reasoning_content?: string | null;
    reasoning?: string | null;
    refusal?: string | null;
    tool_calls?: ChunkToolCall[] | null;
  };
  finish_reason?: string | null;
}

export interface OpenAIChunk {
  id?: string;
  model?: string;
  created?: number;
  choices?: ChunkChoice[];
  usage?: Parameters<typeof usageFromOpenAI>[0];
  x_groq?: { usage?: Parameters<typeof usageFromOpenAI>[0] };
}

const FINISH_REASONS = new Set(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

export const toFinishReason = (reason: string): FinishReason => (FINISH_REASONS.has(reason) ? (reason as FinishReason) : 'stop');

/** Decodes one OpenAI-dialect stream chunk into parts. Keeps per-stream state, since some hosts
 * (Mistral) send tool calls without an index and some (Groq) put usage under `x_groq`. */
export class OpenAIChunkDecoder {
  private sawMetadata = false;
  private readonly toolSlots = new Map<string, number>();

  decode(chunk: OpenAIChunk): ChatPart[] {
    const parts: ChatPart[] = [];
    if (!this.sawMetadata && (chunk.id || chunk.model)) {
      this.sawMetadata = true;
      parts.push({ type: 'response-metadata', id: chunk.id, model: chunk.model, created: chunk.created });
    }
    for (const choice of chunk.choices ?? []) this.decodeChoice(choice, parts);
    const usage = usageFromOpenAI(chunk.usage ?? chunk.x_groq?.usage);
    if (usage) parts.push({ type: 'usage', usage });
    return parts;
  }

  private decodeChoice(choice: ChunkChoice, parts: ChatPart[]): void {
    const index = choice.index ?? 0;
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) parts.push({ type: 'reasoning-delta', choice: index, text: reasoning });
    if (delta.content) parts.push({ type: 'text-delta', choice: index, text: delta.content });
    if (delta.refusal) parts.push({ type: 'refusal-delta', choice: index, text: delta.refusal });
    delta.tool_calls?.forEach((call, position) => {
      parts.push({
        type: 'tool-call-delta',
        choice: index,
        index: this.toolIndex(index, call, position),
        id: call.id || undefined,
        name: call.function?.name || undefined,
        argumentsDelta: call.function?.arguments ?? '',
      });
    });
    if (choice.finish_reason) parts.push({ type: 'finish', choice: index, reason: toFinishReason(choice.finish_reason) });
  }

  /** A call without an index is numbered by its id (a new id opens a new slot), else by position. */
  private toolIndex(choice: number, call: ChunkToolCall, position: number): number {
    if (typeof call.index === 'number') return call.index;
    if (!call.id) return this.toolSlots.get(`${choice}:last`) ?? position;
    const key = `${choice}:${call.id}`;
    let slot = this.toolSlots.get(key);
    if (slot === undefined) {
      slot = this.toolSlots.get(`${choice}:count`) ?? 0;
      this.toolSlots.set(key, slot);
      this.toolSlots.set(`${choice}:count`, slot + 1);
    }
    this.toolSlots.set(`${choice}:last`, slot);
    return slot;
  }
}

interface CompletionMessage {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  refusal?: string | null;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[] | null;
}

/** A whole `chat.completion` body as parts, so one code path serves both shapes. */
export const decodeCompletion = (body: { id?: string; model?: string; created?: number; choices?: { index?: number; message?: CompletionMessage; finish_reason?: string | null }[]; usage?: OpenAIChunk['usage'] }): ChatPart[] => {
  const parts: ChatPart[] = [{ type: 'response-metadata', id: body.id, model: body.model, created: body.created }];
  for (const choice of body.choices ?? []) {
    const index = choice.index ?? 0;
    const message = choice.message ?? {};
    const reasoning = message.reasoning_content ?? message.reasoning;
    if (reasoning) parts.push({ type: 'reasoning-delta', choice: index, text: reasoning });
    if (message.content) parts.push({ type: 'text-delta', choice: index, text: message.content });
    if (message.refusal) parts.push({ type: 'refusal-delta', choice: index, text: message.refusal });
    message.tool_calls?.forEach((call, position) =>
      parts.push({ type: 'tool-call-delta', choice: index, index: position, id: call.id, name: call.function.name, argumentsDelta: call.function.arguments }),
    );
    parts.push({ type: 'finish', choice: index, reason: toFinishReason(choice.finish_reason ?? 'stop') });
  }
  const usage = usageFromOpenAI(body.usage);
  if (usage) parts.push({ type: 'usage', usage });
  return parts;
};

type HeaderValue = string | string[] | undefined;

/** A whole answer's text as parts. Some hosts answer a failure with status 200 and an error body
 * (OpenRouter), and some answer a stream request with one whole completion (a proxy that ignores
 * `stream`): the first is thrown as the error it is, the second decoded like any completion. With
 * `mustHaveChoices` (a stream request), a body that is neither is the upstream's fault. */
export const decodeWholeAnswer = (text: string, headers: Record<string, HeaderValue>, providerId: string, mustHaveChoices = false): ChatPart[] => {
  let answer: Parameters<typeof decodeCompletion>[0] | undefined;
  try {
    answer = JSON.parse(text);
  } catch {
    throw GatewayError.badUpstreamBody(providerId, 'a body that is not JSON');
  }
  const failure = errorInOkAnswer(answer, headers, text, providerId);
  if (failure) throw failure;
  if (!answer || typeof answer !== 'object' || (mustHaveChoices && !Array.isArray(answer.choices))) {
    throw GatewayError.badUpstreamBody(providerId, 'neither a stream nor a completion for a stream request');
  }
  return decodeCompletion(answer);
};

import type { ChatPart, FinishReason, TokenUsage } from '../../adapters/types.js';
import type { GeminiCandidate, GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire-types.js';

export interface GeminiAnswerOptions {
  /** The model as the client named it (modelVersion). */
  model: string;
  /** Whether thoughts reach the client (thinkingConfig.includeThoughts). */
  includeThoughts: boolean;
  /** Used when the upstream gives no id of its own: the gateway's request id (x-request-id). */
  fallbackResponseId: string;
}

/** A call whose arguments are still arriving: Gemini sends a call whole, so it goes out once the
 * next call of its candidate begins or the candidate finishes. */
interface OpenCall {
  id?: string;
  name: string;
  argumentsText: string;
}

interface CandidateState {
  calls: Map<number, OpenCall>;
  finishReason?: string;
}

const FINISH_REASONS: Record<FinishReason, string> = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', function_call: 'STOP', content_filter: 'SAFETY' };

/** Neutral usage (OpenAI's meaning) as usageMetadata: the prompt count includes the cached part,
 * the candidates count excludes the thoughts. */
export const usageMetadataFrom = (usage: TokenUsage): GeminiUsageMetadata => {
  const thoughts = usage.reasoningTokens ?? 0;
  const metadata: GeminiUsageMetadata = { promptTokenCount: usage.promptTokens, candidatesTokenCount: Math.max(0, usage.completionTokens - thoughts), totalTokenCount: usage.promptTokens + usage.completionTokens };
  if (usage.cachedTokens) metadata.cachedContentTokenCount = usage.cachedTokens;
  if (thoughts) metadata.thoughtsTokenCount = thoughts;
  return metadata;
};

/** Arguments as the object Gemini carries. Text that is not JSON (a call cut short by the output
 * limit) cannot be carried: undefined, and the call is left out rather than sent with arguments
 * the model never gave; the finish reason (MAX_TOKENS) tells the client why. */
const argumentsObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const parsed = JSON.parse(text || '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return undefined;
  }
};

/** Neutral parts as Gemini GenerateContentResponse chunks: text and thoughts as they come, each
 * function call whole, and a last chunk with the finish reasons and usageMetadata. */
export class GeminiAnswerEncoder {
  private readonly candidates = new Map<number, CandidateState>();
  private responseId: string | undefined;
  private usage: TokenUsage | undefined;

  constructor(private readonly options: GeminiAnswerOptions) {}

  /** The chunks one part makes now (often one, sometimes none). */
  encode(part: ChatPart): GeminiResponse[] {
    switch (part.type) {
      case 'response-metadata':
        this.responseId ??= part.id?.replace(/^chatcmpl-/, '');
        return [];
      // Calls before a text go out before it, in the order the answer made them.
      case 'text-delta':
      case 'refusal-delta':
        return part.text ? [...this.flushCalls(part.choice, Number.POSITIVE_INFINITY), this.chunk([{ index: part.choice, content: { role: 'model', parts: [{ text: part.text }] } }])] : [];
      case 'reasoning-delta':
        return part.text && this.options.includeThoughts ? [...this.flushCalls(part.choice, Number.POSITIVE_INFINITY), this.chunk([{ index: part.choice, content: { role: 'model', parts: [{ text: part.text, thought: true }] } }])] : [];
      case 'tool-call-delta':
        return this.addToCall(part);
      case 'finish': {
        const chunks = this.flushCalls(part.choice, Number.POSITIVE_INFINITY);
        this.candidate(part.choice).finishReason = FINISH_REASONS[part.reason] ?? 'OTHER';
        return chunks;
      }
      case 'usage':
        this.usage = part.usage;
        return [];
      default:
        return [];
    }
  }

  /** The last chunk: calls a stream left open, every candidate's finish reason, usageMetadata. */
  finish(): GeminiResponse {
    const candidates: GeminiCandidate[] = [];
    for (const [index, state] of [...this.candidates.entries()].sort(([first], [second]) => first - second)) {
      const parts = this.callParts(index, Number.POSITIVE_INFINITY);
      const candidate: GeminiCandidate = { index, content: { role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] } };
      if (state.finishReason) candidate.finishReason = state.finishReason;
      candidates.push(candidate);
    }
    const last = this.chunk(candidates);
    if (this.usage) last.usageMetadata = usageMetadataFrom(this.usage);
    return last;
  }

  private chunk(candidates: GeminiCandidate[]): GeminiResponse {
    return { candidates, modelVersion: this.options.model, responseId: (this.responseId ??= this.options.fallbackResponseId) };
  }

  private candidate(index: number): CandidateState {
    let state = this.candidates.get(index);
    if (!state) {
      state = { calls: new Map() };
      this.candidates.set(index, state);
    }
    return state;
  }

  /** Calls stay open until the answer's text goes on or it finishes: a host may interleave the
   * fragments of parallel calls, and a call closed at the next one's start lost its arguments. */
  private addToCall(part: Extract<ChatPart, { type: 'tool-call-delta' }>): GeminiResponse[] {
    const calls = this.candidate(part.choice).calls;
    const call = calls.get(part.index) ?? { name: '', argumentsText: '' };
    calls.set(part.index, call);
    if (part.id) call.id = part.id;
    // Set once: some hosts repeat the name on every fragment (as openai's own stream reader, it is
    // not appended).
    if (part.name && !call.name) call.name = part.name;
    call.argumentsText += part.argumentsDelta;
    return [];
  }

  private flushCalls(choice: number, before: number): GeminiResponse[] {
    const parts = this.callParts(choice, before);
    return parts.length > 0 ? [this.chunk([{ index: choice, content: { role: 'model', parts } }])] : [];
  }

  private callParts(choice: number, before: number): GeminiPart[] {
    const calls = this.candidates.get(choice)?.calls;
    if (!calls) return [];
    const parts: GeminiPart[] = [];
    for (const [index, call] of [...calls.entries()].sort(([first], [second]) => first - second)) {
      if (index >= before) continue;
      calls.delete(index);
      const args = argumentsObject(call.argumentsText);
      if (args) parts.push({ functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args } });
    }
    return parts;
  }
}

/** Chunks folded into one answer, as generateContent returns it: each candidate's parts in order,
 * neighbouring text of the same kind joined. */
export const mergeChunks = (chunks: GeminiResponse[]): GeminiResponse => {
  const candidates = new Map<number, GeminiCandidate & { content: { parts: GeminiPart[] } }>();
  const merged: GeminiResponse = {};
  for (const chunk of chunks) {
    for (const candidate of chunk.candidates ?? []) {
      const index = candidate.index ?? 0;
      const target = candidates.get(index) ?? { index, content: { role: 'model', parts: [] } };
      candidates.set(index, target);
      for (const part of candidate.content?.parts ?? []) appendPart(target.content.parts, part);
      if (candidate.finishReason) target.finishReason = candidate.finishReason;
    }
    if (chunk.usageMetadata) merged.usageMetadata = chunk.usageMetadata;
    merged.modelVersion = chunk.modelVersion;
    merged.responseId = chunk.responseId;
  }
  const sorted = [...candidates.values()].sort((first, second) => (first.index ?? 0) - (second.index ?? 0));
  for (const candidate of sorted) if (candidate.content.parts.length === 0) candidate.content.parts.push({ text: '' });
  return { candidates: sorted, ...merged };
};

const appendPart = (parts: GeminiPart[], part: GeminiPart): void => {
  const last = parts.at(-1);
  if (typeof part.text === 'string' && !part.text && parts.length > 0) return;
  if (last && typeof last.text === 'string' && typeof part.text === 'string' && !!last.thought === !!part.thought && !last.thoughtSignature) last.text += part.text;
  else parts.push({ ...part });
};

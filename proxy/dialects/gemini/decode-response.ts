import { madeUpToolCallId } from '../../pipeline/tool-call-id.js';
import type { ChatPart } from '../../adapters/types.js';
import { finishReasonFromGemini, isPromptBlocked } from './finish-reason.js';
import { PartialArguments } from './partial-arguments.js';
import { rememberSignature } from './thought-signatures.js';
import { hasTokenCounts, usageFromGemini } from './usage.js';
import type { GeminiCandidate, GeminiFunctionCall, GeminiPart, GeminiResponse, GeminiUsageMetadata } from './wire-types.js';

interface OpenCall {
  index: number;
  id: string;
  name: string;
  /** Arguments sent whole (`args`), as the Gemini API does. */
  wholeArguments?: Record<string, unknown>;
  /** Arguments streamed in pieces, as Vertex AI does. */
  partial: PartialArguments;
  /** Whether the id and name already went out (a streamed call announces itself first). */
  announced: boolean;
}

interface CandidateState {
  choice: number;
  toolCalls: number;
  finishReason?: string;
  openCall?: OpenCall;
}

/** Gemini sends no tool-call ids, so the gateway makes them up: the same answer always gets the
 * same ids (streamed or not), and parallel calls get distinct ones. */
export const makeToolCallId = (responseId: string | undefined, choice: number, index: number, name: string): string => {
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, '_');
  const response = responseId ? `${responseId.replace(/[^A-Za-z0-9_-]/g, '')}_` : '';
  return madeUpToolCallId(`call_${response}${choice > 0 ? `${choice}_` : ''}${index}_${safeName}`);
};

/** Decodes Gemini answers into parts: each SSE chunk of a stream, or the one body of a
 * generateContent call (the same code, so a collected stream equals the whole answer).
 * Finish reasons and usage are held until `end()`: old models repeat finishReason on every chunk,
 * and newer ones repeat usageMetadata, whose last value is the total. */
export class GeminiResponseDecoder {
  private readonly candidates = new Map<number, CandidateState>();
  private sentMetadata = false;
  private responseId: string | undefined;
  private promptBlocked = false;
  private lastUsage: GeminiUsageMetadata | undefined;

  decode(chunk: GeminiResponse): ChatPart[] {
    const parts: ChatPart[] = [];
    this.responseId ??= chunk.responseId;
    if (!this.sentMetadata && (chunk.responseId || chunk.modelVersion)) {
      this.sentMetadata = true;
      parts.push({ type: 'response-metadata', id: chunk.responseId ? `chatcmpl-${chunk.responseId}` : undefined, model: chunk.modelVersion });
    }
    if (isPromptBlocked(chunk.promptFeedback?.blockReason)) this.promptBlocked = true;
    (chunk.candidates ?? []).forEach((candidate, position) => this.decodeCandidate(candidate, position, parts));
    if (hasTokenCounts(chunk.usageMetadata)) this.lastUsage = chunk.usageMetadata;
    return parts;
  }

  /** The held parts: calls left open by a stream that ended early, finish reasons, usage. */
  end(): ChatPart[] {
    const parts: ChatPart[] = [];
    const states = [...this.candidates.values()].sort((first, second) => first.choice - second.choice);
    for (const state of states) this.closeCall(state, parts);
    if (states.length === 0) parts.push({ type: 'finish', choice: 0, reason: this.promptBlocked ? 'content_filter' : 'stop' });
    for (const state of states) parts.push({ type: 'finish', choice: state.choice, reason: finishReasonFromGemini(state.finishReason, state.toolCalls > 0) });
    if (this.lastUsage) parts.push({ type: 'usage', usage: usageFromGemini(this.lastUsage) });
    return parts;
  }

  private decodeCandidate(candidate: GeminiCandidate, position: number, parts: ChatPart[]): void {
    const choice = typeof candidate.index === 'number' ? candidate.index : position;
    let state = this.candidates.get(choice);
    if (!state) {
      state = { choice, toolCalls: 0 };
      this.candidates.set(choice, state);
    }
    for (const part of candidate.content?.parts ?? []) this.decodePart(state, part, parts);
    if (candidate.finishReason) state.finishReason = candidate.finishReason;
  }

  private decodePart(state: CandidateState, part: GeminiPart, parts: ChatPart[]): void {
    if (part.functionCall) {
      this.decodeFunctionCall(state, part.functionCall, part.thoughtSignature, parts);
      return;
    }
    if (typeof part.text !== 'string' || part.text.length === 0) return;
    parts.push(part.thought ? { type: 'reasoning-delta', choice: state.choice, text: part.text } : { type: 'text-delta', choice: state.choice, text: part.text });
  }

  /** A call arrives whole (`name` + `args`), or on Vertex AI in pieces: `name` with
   * `willContinue`, then `partialArgs`, until a piece without `willContinue` (often an empty
   * `functionCall: {}`) closes it. */
  private decodeFunctionCall(state: CandidateState, call: GeminiFunctionCall, signature: string | undefined, parts: ChatPart[]): void {
    if (call.name) {
      this.closeCall(state, parts);
      const index = state.toolCalls;
      state.toolCalls += 1;
      const id = call.id || makeToolCallId(this.responseId, state.choice, index, call.name);
      if (signature) rememberSignature(id, signature);
      state.openCall = { index, id, name: call.name, wholeArguments: call.args, partial: new PartialArguments(), announced: false };
      if (call.willContinue) this.announce(state, parts);
    }
    const open = state.openCall;
    if (!open) return;
    for (const piece of call.partialArgs ?? []) open.partial.add(piece);
    if (!call.willContinue) this.closeCall(state, parts);
  }

  private announce(state: CandidateState, parts: ChatPart[]): void {
    const open = state.openCall;
    if (!open || open.announced) return;
    open.announced = true;
    parts.push({ type: 'tool-call-delta', choice: state.choice, index: open.index, id: open.id, name: open.name, argumentsDelta: '' });
  }

  private closeCall(state: CandidateState, parts: ChatPart[]): void {
    const open = state.openCall;
    if (!open) return;
    state.openCall = undefined;
    const argumentsJson = open.wholeArguments ? JSON.stringify(open.wholeArguments) : open.partial.toJson();
    parts.push(
      open.announced
        ? { type: 'tool-call-delta', choice: state.choice, index: open.index, argumentsDelta: argumentsJson }
        : { type: 'tool-call-delta', choice: state.choice, index: open.index, id: open.id, name: open.name, argumentsDelta: argumentsJson },
    );
  }
}

import type { DecodedAnswer, ErrorView, ReportedUsage } from '../neutral-view.js';
import { ChoicesBuilder } from './choices.js';
import { count, framingViolations, isEventStream, type HttpAnswer } from './http-answer.js';
import { parseSse, tryJson } from './sse.js';

/** The oracle for Gemini's generateContent format: reads Gemini recordings (and, once the gateway
 * answers Gemini clients, their answers). Independent of the gateway's decoders. */

/** Gemini's reasons for stopping that OpenAI calls a content filter. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION']);

/** Usage in OpenAI's meaning: the prompt includes the cached part and tool-use prompt tokens; the
 * output is the candidates plus the thoughts, which are the reasoning part. */
export const geminiUsage = (usage: any): ReportedUsage | undefined => {
  const counted = ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'totalTokenCount'].some((key) => typeof usage?.[key] === 'number');
  if (!counted) return undefined;
  const thoughts = count(usage.thoughtsTokenCount);
  return {
    promptTokens: count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount),
    completionTokens: count(usage.candidatesTokenCount) + thoughts,
    cachedTokens: count(usage.cachedContentTokenCount),
    cacheCreationTokens: 0,
    reasoningTokens: thoughts,
  };
};

/** The ledger's error code for a Gemini error body, as the gateway's spec words it for OpenAI
 * clients: an invalid key is `invalid_api_key`, an unknown model `model_not_found`, a quota error
 * `rate_limit_exceeded`; otherwise the ErrorInfo reason, else Google's status word. */
export const geminiErrorCode = (body: any): string | null => {
  const error = (Array.isArray(body) ? body[0] : body)?.error;
  if (!error) return null;
  const details: any[] = Array.isArray(error.details) ? error.details : [];
  const reason = details.find((detail) => String(detail?.['@type']).endsWith('google.rpc.ErrorInfo'))?.reason;
  if (reason === 'API_KEY_INVALID') return 'invalid_api_key';
  if (error.code === 404 && /models\/\S+ is not found/.test(String(error.message))) return 'model_not_found';
  if (error.code === 429) return 'rate_limit_exceeded';
  return reason ?? (typeof error.status === 'string' ? error.status : null);
};

/** An error's status in OpenAI's words: Gemini answers an invalid key with 400 INVALID_ARGUMENT
 * and the reason API_KEY_INVALID, which every other API (and OpenAI's clients) call a 401. */
const geminiErrorStatus = (status: number, body: any): number => (geminiErrorCode(body) === 'invalid_api_key' ? 401 : status);

/** `$.a[0].b`, `$['odd key']` as path segments. */
const pathSegments = (path: string): (string | number)[] =>
  [...path.replace(/^\$/, '').matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)].map((match) => (match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4] ?? '')));

/** Vertex AI's streamed arguments: (jsonPath, value) pieces, string values possibly in several. */
const applyPartialArgument = (target: any, piece: any): void => {
  const path = pathSegments(String(piece.jsonPath ?? ''));
  if (path.length === 0) return;
  let node = target;
  for (const [position, key] of path.slice(0, -1).entries()) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[position + 1] === 'number' ? [] : {};
    node = node[key];
  }
  const last = path[path.length - 1] as string | number;
  if (piece.stringValue !== undefined) node[last] = (typeof node[last] === 'string' ? node[last] : '') + piece.stringValue;
  else if (piece.numberValue !== undefined) node[last] = piece.numberValue;
  else if (piece.boolValue !== undefined) node[last] = piece.boolValue;
  else if ('nullValue' in piece) node[last] = null;
};

interface CandidateFold {
  calls: number;
  openCall?: { whole: any };
  finishReason?: string;
}

const finishReason = (fold: CandidateFold): string => {
  if (fold.calls > 0) return 'tool_calls';
  if (fold.finishReason === 'MAX_TOKENS') return 'length';
  if (fold.finishReason && FILTERED.has(fold.finishReason)) return 'content_filter';
  return 'stop';
};

/** The chunks of one answer (one for generateContent) folded into choices and the last usage. */
const foldChunks = (chunks: any[]): Pick<DecodedAnswer, 'choices' | 'usage' | 'error'> => {
  const builder = new ChoicesBuilder();
  const folds = new Map<number, CandidateFold>();
  let usage: ReportedUsage | undefined;
  let blocked = false;
  let error: ErrorView | null = null;
  for (const chunk of chunks) {
    if (chunk?.error) {
      error = { status: geminiErrorStatus(Number(chunk.error.code) || 502, chunk) };
      break;
    }
    if (chunk?.promptFeedback?.blockReason && chunk.promptFeedback.blockReason !== 'BLOCK_REASON_UNSPECIFIED') blocked = true;
    for (const [position, candidate] of (chunk?.candidates ?? []).entries()) {
      const index = typeof candidate.index === 'number' ? candidate.index : position;
      const fold = folds.get(index) ?? { calls: 0 };
      folds.set(index, fold);
      const state = builder.choice(index);
      for (const part of candidate.content?.parts ?? []) {
        const call = part.functionCall;
        if (call) {
          if (call.name) {
            const whole = structuredClone(call.args ?? {});
            builder.call(index, fold.calls++, call.name).whole = whole;
            fold.openCall = { whole };
          }
          for (const piece of call.partialArgs ?? []) if (fold.openCall) applyPartialArgument(fold.openCall.whole, piece);
          if (!call.willContinue) fold.openCall = undefined;
        } else if (typeof part.text === 'string') {
          if (part.thought) state.reasoning += part.text;
          else state.text += part.text;
        }
      }
      if (candidate.finishReason) fold.finishReason = candidate.finishReason;
    }
    usage = geminiUsage(chunk?.usageMetadata) ?? usage;
  }
  if (error) return { choices: builder.build(), usage, error };
  if (folds.size === 0) builder.choice(0).finishReason = blocked ? 'content_filter' : 'stop';
  for (const [index, fold] of folds) builder.choice(index).finishReason = finishReason(fold);
  return { choices: builder.build(), usage, error: null };
};

/** One Gemini answer: an error status, an SSE stream of chunks, or JSON (one body, or the array of
 * chunks streamGenerateContent sends without alt=sse). */
export const decodeGemini = (answer: HttpAnswer, streamed: boolean): DecodedAnswer => {
  if (answer.status >= 400) return { choices: [], error: { status: geminiErrorStatus(answer.status, tryJson(answer.body)) }, violations: [] };
  const violations = framingViolations(answer, streamed);
  if (isEventStream(answer)) {
    const chunks = parseSse(answer.body).map((event) => tryJson(event.data));
    if (chunks.includes(undefined)) violations.push('an event is not JSON');
    return { ...foldChunks(chunks.filter((chunk) => chunk !== undefined)), violations };
  }
  const json = tryJson(answer.body);
  if (json === undefined) return { choices: [], error: null, violations: [...violations, 'the body is not JSON'] };
  return { ...foldChunks(Array.isArray(json) ? json : [json]), violations };
};

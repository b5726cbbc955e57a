import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { FIXTURES, fixtureJson, fixtureText } from '../support/fixtures.js';
import { recordingFromFile, type CollectedAnswer, type Recording } from './support.js';

/** Gemini recordings read straight from the files (independently of the adapter), and what an
 * OpenAI client must see for each. The finish-reason rules below are the spec the adapter meets. */

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/** One upstream answer to replay: a stream (its chunks) or a whole body, or an error. */
export interface GeminiCase {
  name: string;
  kind: 'stream' | 'whole' | 'error';
  /** The answer's JSON payloads, one per SSE event for streams (one for a whole body). */
  chunks: any[];
  /** How the fake upstream sends it, byte for byte as recorded. */
  recording: Recording;
  /** The recorded request, when the file holds one (js-genai recordings). */
  request?: any;
}

export const geminiFiles = (): string[] =>
  readdirSync(join(FIXTURES, 'gemini'))
    .filter((name) => !name.endsWith('.headers.json'))
    .sort()
    .map((name) => `gemini/${name}`);

const ssePayloads = (text: string): any[] => {
  const payloads: any[] = [];
  const parser = createParser({ onEvent: (event) => payloads.push(JSON.parse(event.data)) });
  parser.feed(text);
  parser.feed('\n\n');
  return payloads;
};

const sseRecording = (chunks: (string | Buffer)[]): Recording => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks });

/** A js-genai recording: one case per interaction, the body segments re-serialised the way that
 * recorder stored them (one SSE event per segment, with Gemini's CRLF separators). */
const genaiCases = (path: string): GeminiCase[] => {
  const file = fixtureJson(path);
  return file.interactions.map((interaction: any, position: number) => {
    const response = interaction.response;
    const stream = String(interaction.request.url).includes(':streamGenerateContent');
    const status: number = response.statusCode;
    const headers = { 'content-type': response.headers['Content-Type'] ?? 'application/json' };
    const segments: any[] = response.bodySegments;
    const kind = status >= 400 ? 'error' : stream ? 'stream' : 'whole';
    const chunks = kind === 'stream' ? segments.map((segment) => `data: ${JSON.stringify(segment)}\r\n\r\n`) : [JSON.stringify(segments.length === 1 ? segments[0] : segments)];
    return { name: `${path} #${position + 1}`, kind, chunks: segments, recording: { status, headers, chunks }, request: interaction.request.bodySegments[0] };
  });
};

/** Every Gemini recording as the cases it holds. Nothing is skipped: a file this cannot place
 * throws, so a new recording cannot go unreplayed. */
export const geminiCases = (): GeminiCase[] =>
  geminiFiles().flatMap((path): GeminiCase[] => {
    if (path.endsWith('.js-genai.json')) return genaiCases(path);
    const text = fixtureText(path);
    if (path.endsWith('.jsonl')) {
      const lines = text.split('\n').filter((line) => line.trim());
      return [{ name: path, kind: 'stream', chunks: lines.map((line) => JSON.parse(line)), recording: recordingFromFile(path) }];
    }
    if (path.endsWith('.sse')) return [{ name: path, kind: 'stream', chunks: ssePayloads(text), recording: recordingFromFile(path) }];
    if (!path.endsWith('.json')) throw new Error(`no way to replay ${path}`);
    const body = JSON.parse(text);
    const error = (Array.isArray(body) ? body[0] : body)?.error;
    if (error) return [{ name: path, kind: 'error', chunks: [body], recording: { status: error.code, headers: { 'content-type': 'application/json; charset=UTF-8' }, chunks: [text] } }];
    // A single chunk pasted from a stream is replayed as the one event of a stream.
    if (path.includes('/stream-chunk-')) return [{ name: path, kind: 'stream', chunks: [body], recording: sseRecording([`data: ${JSON.stringify(body)}\r\n\r\n`]) }];
    return [{ name: path, kind: 'whole', chunks: [body], recording: { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, chunks: [text] } }];
  });

/** Sets `$.a[0].b` in an object, creating what is missing; string pieces are appended. */
const setPath = (target: any, path: string, value: unknown, append: boolean): void => {
  const keys = path.replace(/^\$/, '').split(/[.[\]]+/).filter(Boolean);
  let node = target;
  keys.forEach((key, position) => {
    if (position === keys.length - 1) {
      node[key] = append && typeof node[key] === 'string' ? node[key] + value : value;
      return;
    }
    node[key] ??= /^\d+$/.test(keys[position + 1] ?? '') ? [] : {};
    node = node[key];
  });
};

const usageTerms = (usage: any): CollectedAnswer['usage'] => ({
  prompt_tokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
  completion_tokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  cached_tokens: usage.cachedContentTokenCount ?? 0,
  reasoning_tokens: usage.thoughtsTokenCount ?? 0,
});

export interface ExpectedAnswer extends Omit<CollectedAnswer, 'toolCalls'> {
  toolCalls: { name: string; arguments: unknown }[];
}

/** What the chunks of one answer say, first candidate: texts and thoughts concatenated, calls
 * (whole, or Vertex's pieces folded), the last finishReason, the last usage with counts. */
export const expectedAnswer = (chunks: any[]): ExpectedAnswer => {
  const answer: ExpectedAnswer = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: undefined };
  let finishReason: string | undefined;
  let blocked = false;
  let sawCandidate = false;
  for (const chunk of chunks) {
    if (chunk.promptFeedback?.blockReason) blocked = true;
    const usage = chunk.usageMetadata;
    if (usage && ['promptTokenCount', 'candidatesTokenCount', 'totalTokenCount'].some((key) => typeof usage[key] === 'number')) answer.usage = usageTerms(usage);
    const candidate = chunk.candidates?.[0];
    if (!candidate) continue;
    sawCandidate = true;
    for (const part of candidate.content?.parts ?? []) {
      const call = part.functionCall;
      if (call) {
        if (call.name) answer.toolCalls.push({ name: call.name, arguments: call.args ?? {} });
        for (const piece of call.partialArgs ?? []) {
          const value = piece.stringValue ?? piece.numberValue ?? piece.boolValue ?? null;
          setPath(answer.toolCalls.at(-1)?.arguments, piece.jsonPath, value, piece.stringValue !== undefined);
        }
      } else if (part.text) {
        if (part.thought) answer.reasoning += part.text;
        else answer.text += part.text;
      }
    }
    finishReason = candidate.finishReason ?? finishReason;
  }
  if (answer.toolCalls.length > 0) answer.finishReason = 'tool_calls';
  else if (!sawCandidate && blocked) answer.finishReason = 'content_filter';
  else if (finishReason === 'MAX_TOKENS') answer.finishReason = 'length';
  else if (finishReason && FILTERED.has(finishReason)) answer.finishReason = 'content_filter';
  else answer.finishReason = 'stop';
  return answer;
};

/** A stream's chunks as one generateContent body: each candidate's parts in order, the last
 * finishReason and usage, the first of everything else. */
export const mergeChunks = (chunks: any[]): any => {
  const merged: any = {};
  const candidates = new Map<number, any>();
  for (const chunk of chunks) {
    for (const [key, value] of Object.entries(chunk)) if (key !== 'candidates' && key !== 'usageMetadata') merged[key] ??= value;
    if (chunk.usageMetadata?.totalTokenCount !== undefined || !merged.usageMetadata) merged.usageMetadata = chunk.usageMetadata;
    (chunk.candidates ?? []).forEach((candidate: any, position: number) => {
      const index = candidate.index ?? position;
      const target = candidates.get(index) ?? { index, content: { role: 'model', parts: [] } };
      target.content.parts.push(...(candidate.content?.parts ?? []));
      if (candidate.finishReason) target.finishReason = candidate.finishReason;
      candidates.set(index, target);
    });
  }
  if (candidates.size > 0) merged.candidates = [...candidates.values()];
  return merged;
};

/** Tool arguments as a client compares them: parsed JSON. */
export const comparable = (answer: CollectedAnswer): ExpectedAnswer => ({
  ...answer,
  toolCalls: answer.toolCalls.map((call) => {
    try {
      return { name: call.name, arguments: JSON.parse(call.arguments) };
    } catch {
      return { name: call.name, arguments: { unparsed: call.arguments } };
    }
  }),
});

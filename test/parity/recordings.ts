import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recordingFromFile } from '../conformance/support.js';
import { FIXTURES, fixtureJson, fixtureText, responsesTurns } from '../support/fixtures.js';
import type { DecodedAnswer } from './neutral-view.js';
import { anthropicErrorCode, decodeAnthropicMessage } from './oracle/anthropic-messages.js';
import { decodeGemini, geminiErrorCode } from './oracle/gemini.js';
import { isEventStream, type HttpAnswer } from './oracle/http-answer.js';
import { decodeOpenAIChat, openAIErrorCode } from './oracle/openai-chat.js';
import { decodeOpenAIResponses } from './oracle/openai-responses.js';
import { parseSse, tryJson } from './oracle/sse.js';

/** `openai-responses`: a host that serves OpenAI's Responses API itself, reached only by the relay. */
export type UpstreamDialect = 'openai' | 'anthropic' | 'gemini' | 'openai-responses';

/** whole: the client asks without `stream`; streamed: with it, the upstream's writes as recorded;
 * split: with it, the upstream's bytes written in pieces of 1 to 7 bytes. */
export type Mode = 'whole' | 'streamed' | 'split';

/** stream: an SSE body; whole: one JSON answer; error: an HTTP error status. */
export type RecordingKind = 'stream' | 'whole' | 'error';

export interface ParityRecording {
  /** The file (and interaction, for js-genai recordings). */
  name: string;
  /** Routes a request to this recording: the model id the lanes ask for. */
  key: string;
  dialect: UpstreamDialect;
  kind: RecordingKind;
  status: number;
  headers: Record<string, string>;
  /** The body in the writes it was recorded in (one per SSE event; one for a whole body). */
  chunks: Buffer[];
  /** Which modes the recording can answer. A stream answers only stream requests (no upstream
   * answers a whole request with SSE, and the gateway does not gather one). A whole answer also
   * answers stream requests: some hosts do that, and the gateway is meant to turn it into the
   * stream the client asked for (no Responses host is known to, and the relay passes what it
   * gets). An error status answers any request. */
  modes: readonly Mode[];
  /** The recording's own reading, by its dialect's oracle. */
  answer: DecodedAnswer;
  /** The ledger's error code the recording calls for (null for an answer). */
  errorCode: string | null;
}

/** An answer served as-is (a recording, or one a regression test writes), read by its dialect's oracle. */
export interface ServedAnswer {
  name: string;
  kind: RecordingKind;
  status: number;
  headers: Record<string, string>;
  chunks: (string | Buffer)[];
}

/** Files in the recording folders that are not chat answers, each with why. A file in neither
 * list fails the matrix, so a new recording cannot be left out silently. Error bodies recorded on
 * another endpoint that a chat call gets alike (a bad key, no quota, a model refusing a
 * parameter) count as chat errors. */
export const NOT_CHAT: Record<string, string> = {
  'anthropic/error-529-overloaded.issue-616.headers.json': 'the status and headers of its sibling body, not a body',
  'openai/audio-transcriptions-json-usage-tokens.openapi-example.json': 'audio transcription',
  'openai/audio-transcriptions-stream-text-delta.openapi-example.sse': 'audio transcription',
  'openai/audio-transcriptions-verbose-json-words.vercel.json': 'audio transcription',
  'openai/embeddings-text-embedding-3-small.vercel.json': 'embeddings',
  'openai/error-400-images-unknown-parameter.vercel.json': 'an images error (response_format is an images parameter)',
  'openai/images-edits-gpt-image.vercel.json': 'image edit',
  'openai/images-generations-b64-revised-prompt.vercel.json': 'image generation',
  'openai/images-generations-gpt-image-usage.openapi-example.json': 'image generation',
  'openai/images-generations-stream-partial-image.openapi-example.sse': 'image generation',
  'openai/legacy-completions-stream.vercel.jsonl': 'legacy /v1/completions',
  'openai/responses-stream-error-event.vercel.jsonl': 'a Responses stream: its copy in openai-responses/ is replayed',
};

const DIALECT_BY_FOLDER: Record<string, UpstreamDialect> = { anthropic: 'anthropic', gemini: 'gemini', openai: 'openai', 'openai-compatible': 'openai', 'openai-responses': 'openai-responses' };

const DECODERS: Record<UpstreamDialect, (answer: HttpAnswer, streamed: boolean) => DecodedAnswer> = {
  openai: decodeOpenAIChat,
  anthropic: decodeAnthropicMessage,
  gemini: decodeGemini,
  'openai-responses': decodeOpenAIResponses,
};

const ERROR_CODES: Record<UpstreamDialect, (body: any) => string | null> = { openai: openAIErrorCode, anthropic: anthropicErrorCode, gemini: geminiErrorCode, 'openai-responses': openAIErrorCode };

export const recordingFiles = (): string[] =>
  Object.keys(DIALECT_BY_FOLDER).flatMap((folder) =>
    readdirSync(join(FIXTURES, folder))
      .sort()
      .map((name) => `${folder}/${name}`),
  );

const sse = (name: string, events: string[]): ServedAnswer => ({ name, kind: 'stream', status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: events });

/** A js-genai recording: one served answer per interaction, each body segment one SSE event. */
const genaiInteractions = (path: string): ServedAnswer[] =>
  fixtureJson(path).interactions.map((interaction: any, position: number): ServedAnswer => {
    const response = interaction.response;
    const segments: any[] = response.bodySegments;
    const name = `${path}#${position + 1}`;
    const contentType = String(response.headers['Content-Type'] ?? 'application/json');
    if (response.statusCode >= 400) return { name, kind: 'error', status: response.statusCode, headers: { 'content-type': contentType }, chunks: [JSON.stringify(segments[0])] };
    if (String(interaction.request.url).includes(':streamGenerateContent')) return sse(name, segments.map((segment) => `data: ${JSON.stringify(segment)}\r\n\r\n`));
    return { name, kind: 'whole', status: 200, headers: { 'content-type': contentType }, chunks: [JSON.stringify(segments[0])] };
  });

/** A recorded Responses stream: one served answer per response (a file may join several agent
 * steps), each event with the `event:` line OpenAI sends. */
const responsesStreams = (path: string): ServedAnswer[] => {
  const turns = responsesTurns(path);
  return turns.map((events, position) => sse(turns.length === 1 ? path : `${path}#${position + 1}`, events));
};

/** A body file's status: the status in its name, else the code in a Gemini error body, else 200
 * (a sibling .headers.json, which recordingFromFile reads, wins over both). */
const statusOf = (path: string): number => {
  const named = /\/error-(\d{3})-/.exec(path)?.[1];
  if (named) return Number(named);
  const body = tryJson(fixtureText(path));
  const code = Number((Array.isArray(body) ? body[0] : body)?.error?.code);
  return code >= 400 ? code : 200;
};

/** How each recording file is served; files holding one pasted SSE payload become that one event. */
const servedAnswers = (path: string): ServedAnswer[] => {
  if (path.endsWith('.js-genai.json')) return genaiInteractions(path);
  if (path.startsWith('openai-responses/') && path.endsWith('.jsonl')) return responsesStreams(path);
  if (path === 'anthropic/stream-error-event-overloaded-data.gpt-cli-71.json') return [sse(path, [`event: error\ndata: ${fixtureText(path).trim()}\n\n`])];
  if (path === 'gemini/stream-chunk-prompt-blocked-prohibited-content.vercel-ai-issue-4236.json') return [sse(path, [`data: ${JSON.stringify(fixtureJson(path))}\r\n\r\n`])];
  const recording = recordingFromFile(path, { status: path.endsWith('.json') ? statusOf(path) : undefined });
  const kind: RecordingKind = recording.status >= 400 ? 'error' : /event-stream/.test(recording.headers['content-type'] ?? '') ? 'stream' : 'whole';
  return [{ name: path, kind, ...recording }];
};

/** The error code of an error inside the body (a status answer, or an error event in a stream). */
const recordedErrorCode = (dialect: UpstreamDialect, body: string): string | null => {
  const whole = tryJson(body);
  if (whole !== undefined) return ERROR_CODES[dialect](whole);
  for (const event of parseSse(body)) {
    const payload = tryJson(event.data);
    const code = payload === undefined ? null : ERROR_CODES[dialect](payload);
    if (code) return code;
  }
  return null;
};

export const toRecording = (served: ServedAnswer, dialect: UpstreamDialect, key: string): ParityRecording => {
  const chunks = served.chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  const body = Buffer.concat(chunks).toString('utf8');
  const http: HttpAnswer = { status: served.status, contentType: served.headers['content-type'] ?? '', body };
  const answer = DECODERS[dialect](http, isEventStream(http));
  return {
    name: served.name,
    key,
    dialect,
    kind: served.kind,
    status: served.status,
    headers: served.headers,
    chunks,
    modes: served.kind === 'stream' ? ['streamed', 'split'] : dialect === 'openai-responses' && served.kind === 'whole' ? ['whole'] : ['whole', 'streamed', 'split'],
    answer,
    errorCode: answer.error ? recordedErrorCode(dialect, body) : null,
  };
};

/** Every chat recording, numbered for routing. Throws on a file in neither list. */
export const loadRecordings = (): ParityRecording[] => {
  const recordings: ParityRecording[] = [];
  for (const path of recordingFiles()) {
    if (NOT_CHAT[path]) continue;
    if (!/\.(json|jsonl|sse)$/.test(path)) throw new Error(`the parity matrix does not know how to replay ${path}`);
    const dialect = DIALECT_BY_FOLDER[path.split('/')[0] as string] as UpstreamDialect;
    for (const served of servedAnswers(path)) recordings.push(toRecording(served, dialect, `r${recordings.length}`));
  }
  return recordings;
};

export const recordingNamed = (recordings: readonly ParityRecording[], name: string): ParityRecording => {
  const found = recordings.find((recording) => recording.name === name);
  if (!found) throw new Error(`no recording ${name}`);
  return found;
};

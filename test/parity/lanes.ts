import { request, type IncomingHttpHeaders } from 'node:http';
import { runChat } from '../../proxy/core/index.js';
import { TEST_TOKEN } from '../support/gateway.js';
import { clientModel, type ParityHarness } from './harness.js';
import { readLedger } from './ledger.js';
import { neutralView, type DecodedAnswer, type NeutralView } from './neutral-view.js';
import { decodeAnthropicMessage } from './oracle/anthropic-messages.js';
import { decodeChatParts, type LoosePart } from './oracle/chat-parts.js';
import { decodeGemini } from './oracle/gemini.js';
import type { HttpAnswer } from './oracle/http-answer.js';
import { decodeOpenAIChat } from './oracle/openai-chat.js';
import { decodeOpenAIResponses } from './oracle/openai-responses.js';
import { FIRST_CHOICE_ONLY, NO_CUT_CALLS, NO_REASONING_TOKEN_COUNT, REFUSAL_AS_TEXT, type Projection } from './projections.js';
import type { Mode, ParityRecording, UpstreamDialect } from './recordings.js';

/** The lane registry. A lane is one client surface (how a consumer asks the gateway and reads the
 * answer) over one upstream dialect. A new client dialect (OpenAI Responses, Gemini inbound) is
 * one more entry in CLIENT_SURFACES, with its oracle decoder; a new upstream dialect is one more
 * entry in UPSTREAM_DIALECTS (with its recordings folder and fake, recordings.ts, harness.ts). */

export interface ClientAnswer {
  answer: DecodedAnswer;
  /** The ledger record's id, as the surface gives it (a response header, the record callback). */
  requestId: string;
}

export interface ClientSurface {
  clientDialect: string;
  /** The modes this surface can ask in. */
  modes: readonly Mode[];
  /** What its format cannot carry (projections.ts). */
  projections: readonly Projection[];
  ask(harness: ParityHarness, model: string, mode: Mode): Promise<ClientAnswer>;
}

export interface Lane {
  name: string;
  clientDialect: string;
  upstreamDialect: UpstreamDialect;
  projections: readonly Projection[];
  canServe(recording: ParityRecording, mode: Mode): boolean;
  run(recording: ParityRecording, mode: Mode, harness: ParityHarness): Promise<NeutralView>;
}

const PROMPT = [{ role: 'user', content: 'replay' }];

/** A plain node:http POST and its whole answer. Not fetch: a split stream reaches the client in
 * many small pieces, and fetch's web streams cost more for each. */
export const post = (url: string, headers: Record<string, string>, body: unknown): Promise<{ answer: HttpAnswer; headers: IncomingHttpHeaders }> =>
  new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const answer = { status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') };
        resolve({ answer, headers: response.headers });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });

const requestIdOf = (headers: IncomingHttpHeaders, ...names: string[]): string => {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string' && value) return value;
  }
  throw new Error(`the answer carries no request id (${names.join(', ')})`);
};

/** POST /v1/chat/completions, as OpenAI's SDKs send it (usage asked for on streams). */
const openAIChatClient: ClientSurface = {
  clientDialect: 'openai-chat',
  modes: ['whole', 'streamed', 'split'],
  projections: [],
  ask: async (harness, model, mode) => {
    const streamed = mode !== 'whole';
    const body = { model, messages: PROMPT, ...(streamed ? { stream: true, stream_options: { include_usage: true } } : {}) };
    const { answer, headers } = await post(`${harness.gateway.url}/chat/completions`, { authorization: `Bearer ${TEST_TOKEN}` }, body);
    return { answer: decodeOpenAIChat(answer, streamed), requestId: requestIdOf(headers, 'x-request-id') };
  },
};

/** POST /v1/messages, as Anthropic's SDKs send it. */
const anthropicMessagesClient: ClientSurface = {
  clientDialect: 'anthropic-messages',
  modes: ['whole', 'streamed', 'split'],
  projections: [FIRST_CHOICE_ONLY, REFUSAL_AS_TEXT, NO_REASONING_TOKEN_COUNT],
  ask: async (harness, model, mode) => {
    const streamed = mode !== 'whole';
    const body = { model, max_tokens: 1024, messages: PROMPT, ...(streamed ? { stream: true } : {}) };
    const { answer, headers } = await post(`${harness.gateway.url}/messages`, { 'x-api-key': TEST_TOKEN, 'anthropic-version': '2023-06-01' }, body);
    return { answer: decodeAnthropicMessage(answer, streamed), requestId: requestIdOf(headers, 'request-id', 'x-request-id') };
  },
};

/** POST /v1beta/models/{model}:generateContent and :streamGenerateContent, as Google's SDK and
 * Gemini CLI send them (the key in x-goog-api-key, `?alt=sse` on streams, thoughts asked for), or
 * without `alt=sse`: the JSON array Google also serves. The model id keeps its plain slash
 * (`models/openai/...`), as Google's SDK sends it. */
const geminiClient = (framing: 'sse' | 'json-array'): ClientSurface => ({
  clientDialect: framing === 'sse' ? 'gemini-generate' : 'gemini-json-array',
  modes: framing === 'sse' ? ['whole', 'streamed', 'split'] : ['streamed', 'split'],
  projections: [REFUSAL_AS_TEXT, NO_CUT_CALLS],
  ask: async (harness, model, mode) => {
    const streamed = mode !== 'whole';
    const method = streamed ? `streamGenerateContent${framing === 'sse' ? '?alt=sse' : ''}` : 'generateContent';
    const body = { contents: [{ role: 'user', parts: [{ text: 'replay' }] }], generationConfig: { thinkingConfig: { includeThoughts: true } } };
    const { answer, headers } = await post(`${harness.root}/v1beta/models/${model}:${method}`, { 'x-goog-api-key': TEST_TOKEN }, body);
    return { answer: decodeGemini(answer, streamed && framing === 'sse'), requestId: requestIdOf(headers, 'x-request-id') };
  },
});

/** POST /v1/responses, as OpenAI's SDKs and Codex send it (Codex: stream, store off). */
const openAIResponsesClient: ClientSurface = {
  clientDialect: 'openai-responses',
  modes: ['whole', 'streamed', 'split'],
  projections: [FIRST_CHOICE_ONLY, REFUSAL_AS_TEXT],
  ask: async (harness, model, mode) => {
    const streamed = mode !== 'whole';
    const body = { model, input: 'replay', store: false, ...(streamed ? { stream: true } : {}) };
    const { answer, headers } = await post(`${harness.gateway.url}/responses`, { authorization: `Bearer ${TEST_TOKEN}` }, body);
    return { answer: decodeOpenAIResponses(answer, streamed), requestId: requestIdOf(headers, 'x-request-id') };
  },
};

/** The chat view's in-process entry: always streamed, parts instead of bytes. */
const inProcessChat: ClientSurface = {
  clientDialect: 'in-process',
  modes: ['streamed', 'split'],
  projections: [],
  ask: async (harness, model) => {
    let requestId: string | undefined;
    const parts: LoosePart[] = [];
    const request = { model, messages: PROMPT, stream: true } as Parameters<typeof runChat>[1];
    const options = { client: 'chat-view', signal: new AbortController().signal, onRecord: (record: { requestId: string }) => (requestId = record.requestId) };
    for await (const part of runChat(harness.gateway.context, request, options)) parts.push(part as LoosePart);
    if (!requestId) throw new Error('the in-process call wrote no ledger record');
    return { answer: decodeChatParts(parts), requestId };
  },
};

export const CLIENT_SURFACES: readonly ClientSurface[] = [openAIChatClient, anthropicMessagesClient, openAIResponsesClient, geminiClient('sse'), geminiClient('json-array'), inProcessChat];

export const UPSTREAM_DIALECTS: readonly UpstreamDialect[] = ['openai', 'anthropic', 'gemini', 'openai-responses'];

/** Upstream dialects no adapter reads into parts: reached only by the relay of their own client
 * dialect, so only that client's lane serves their recordings. */
const RELAY_ONLY: Partial<Record<UpstreamDialect, string>> = { 'openai-responses': 'openai-responses' };

const reaches = (client: ClientSurface, upstreamDialect: UpstreamDialect): boolean => (RELAY_ONLY[upstreamDialect] ?? client.clientDialect) === client.clientDialect;

const laneOf = (client: ClientSurface, upstreamDialect: UpstreamDialect): Lane => ({
  name: `${client.clientDialect}/${upstreamDialect}`,
  clientDialect: client.clientDialect,
  upstreamDialect,
  projections: client.projections,
  canServe: (recording, mode) => recording.dialect === upstreamDialect && recording.modes.includes(mode) && client.modes.includes(mode),
  run: async (recording, mode, harness) => {
    const { answer, requestId } = await client.ask(harness, clientModel(recording, mode === 'split'), mode);
    return neutralView(answer, await readLedger(harness.root, requestId));
  },
});

export const LANES: readonly Lane[] = CLIENT_SURFACES.flatMap((client) => UPSTREAM_DIALECTS.filter((dialect) => reaches(client, dialect)).map((dialect) => laneOf(client, dialect)));

export const laneNamed = (name: string): Lane => {
  const lane = LANES.find((candidate) => candidate.name === name);
  if (!lane) throw new Error(`no lane ${name}`);
  return lane;
};

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import type { ProviderOverride } from '../../proxy/providers/registry.js';
import type { GatewayOptions, RunningGateway } from '../../proxy/server/gateway-server.js';
import { FakeUpstream } from '../support/fake-upstream.js';
import { FIXTURES, fixtureEvents } from '../support/fixtures.js';
import { startTestGateway, TEST_KEY, TEST_TOKEN } from '../support/gateway.js';

/** What a fake upstream sends back for one recording: status, headers, and the body in the writes
 * it was split into (one per SSE event for streams, so decoders see real chunk boundaries). */
export interface Recording {
  status: number;
  headers: Record<string, string>;
  chunks: (string | Buffer)[];
}

/** A recording file as the upstream sent it. `.sse`: the raw bytes, written event by event (the
 * original separators kept). `.jsonl`: each payload re-wrapped as SSE (`fixtureEvents`). Anything
 * else: the file's bytes as one body, with the status and headers of a sibling `.headers.json`
 * when there is one (else `status`, default 200). */
export const recordingFromFile = (path: string, options: { status?: number; contentType?: string } = {}): Recording => {
  const bytes = readFileSync(join(FIXTURES, path));
  if (path.endsWith('.sse')) {
    return { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: splitRawEvents(bytes.toString('utf8')) };
  }
  if (path.endsWith('.jsonl')) {
    return { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: fixtureEvents(path) };
  }
  const headersPath = join(FIXTURES, path.replace(/\.json$/, '.headers.json'));
  const recorded = existsSync(headersPath) && headersPath !== join(FIXTURES, path) ? (JSON.parse(readFileSync(headersPath, 'utf8')) as { status?: number; headers?: Record<string, string> }) : undefined;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json', ...(recorded?.headers ?? {}) };
  // Hop-by-hop and length headers belong to the original connection, not to this replay.
  for (const name of ['connection', 'content-length', 'transfer-encoding', 'content-encoding', 'keep-alive']) delete headers[name];
  return { status: recorded?.status ?? options.status ?? 200, headers, chunks: [bytes] };
};

/** Splits a raw SSE body after each blank line without changing a byte: the concatenation of the
 * pieces is the original text. */
const splitRawEvents = (text: string): string[] => {
  const pieces: string[] = [];
  const separator = /(\r\n|\r|\n)(\r\n|\r|\n)/g;
  let start = 0;
  for (let match = separator.exec(text); match; match = separator.exec(text)) {
    const end = match.index + match[0].length;
    pieces.push(text.slice(start, end));
    start = end;
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
};

/** Writes a recording to a fake upstream's response, one write per chunk. */
export const sendRecording = async (response: ServerResponse, recording: Recording): Promise<void> => {
  response.writeHead(recording.status, recording.headers);
  for (const chunk of recording.chunks) {
    if (response.destroyed) return;
    response.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
};

export interface ConformanceHarness {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
  /** Serves `recording` for the next requests to `route` (`POST /v1/messages`). */
  serve(route: string, recording: Recording): void;
  close(): Promise<void>;
}

/** A fake upstream on 127.0.0.1, a gateway whose provider `providerId` points at it (with any other
 * `gateway` options, such as a usage sink), and an official openai client for the gateway. `basePath` is what the provider's base URL carries
 * after the host ('' for host roots such as Anthropic's and Gemini's, '/v1' for OpenAI-like). */
export const startConformanceHarness = async (
  providerId: string,
  options: { basePath?: string; override?: ProviderOverride; gateway?: Partial<GatewayOptions> } = {},
): Promise<ConformanceHarness> => {
  const upstream = await new FakeUpstream().start();
  const gateway = await startTestGateway({
    ...options.gateway,
    providers: { [providerId]: { baseUrl: upstream.url(options.basePath ?? ''), apiKey: TEST_KEY, ...options.override } },
  });
  const client = new OpenAI({ baseURL: gateway.url, apiKey: TEST_TOKEN, maxRetries: 0 });
  return {
    upstream,
    gateway,
    client,
    serve: (route, recording) => {
      upstream.on(route, (_request, response) => sendRecording(response, recording));
    },
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
};

/** An answer in the few terms every conformance check compares. */
export interface CollectedAnswer {
  text: string;
  reasoning: string;
  toolCalls: { name: string; arguments: string }[];
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number } | undefined;
}

type OpenAIUsage = OpenAI.Completions.CompletionUsage | null | undefined;

const usageTerms = (usage: OpenAIUsage): CollectedAnswer['usage'] =>
  usage
    ? {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
        reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
      }
    : undefined;

/** Folds an OpenAI chunk stream (first choice) into a CollectedAnswer. `reasoning_content` is the
 * gateway's (and DeepSeek's) extension, absent from the SDK's types. */
export const collectStream = async (stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<CollectedAnswer> => {
  const answer: CollectedAnswer = { text: '', reasoning: '', toolCalls: [], finishReason: null, usage: undefined };
  for await (const chunk of stream) {
    if (chunk.usage) answer.usage = usageTerms(chunk.usage);
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
    answer.text += delta.content ?? '';
    answer.reasoning += delta.reasoning_content ?? '';
    for (const call of delta.tool_calls ?? []) {
      const collected = (answer.toolCalls[call.index] ??= { name: '', arguments: '' });
      collected.name += call.function?.name ?? '';
      collected.arguments += call.function?.arguments ?? '';
    }
    if (choice.finish_reason) answer.finishReason = choice.finish_reason;
  }
  return answer;
};

/** A non-streamed chat.completion (first choice) as a CollectedAnswer. */
export const collectCompletion = (completion: OpenAI.Chat.Completions.ChatCompletion): CollectedAnswer => {
  const choice = completion.choices[0];
  const message = choice?.message as (OpenAI.Chat.Completions.ChatCompletionMessage & { reasoning_content?: string }) | undefined;
  return {
    text: message?.content ?? '',
    reasoning: message?.reasoning_content ?? '',
    toolCalls: (message?.tool_calls ?? []).map((call) => (call.type === 'function' ? { name: call.function.name, arguments: call.function.arguments } : { name: '', arguments: '' })),
    finishReason: choice?.finish_reason ?? null,
    usage: usageTerms(completion.usage),
  };
};

import { redactJsonText } from '../../logger.js';
import { StringDecoder } from 'node:string_decoder';
import type { EventSourceParser } from 'eventsource-parser';
import { createBoundedParser } from '../../sse/bounded-parser.js';
import type { AnswerFacts, TokenUsage } from '../../adapters/types.js';
import { answerFactsFromGemini, callsFunction } from './answer-facts.js';
import type { GatewayError } from '../../errors.js';
import type { GeminiStreamFraming } from './answer-format.js';
import { geminiError } from './read-error.js';
import { hasTokenCounts, usageFromGemini } from './usage.js';
import type { GeminiResponse, GeminiUsageMetadata } from './wire-types.js';

/** Watches a Gemini SSE stream on its way to a Gemini client. Each chunk goes out unchanged as it
 * completes, as SSE or as an element of the JSON array the client asked for; an `error` object
 * (which may quote what the upstream was sent) is redacted. Only chunks that carry usageMetadata
 * or an error are parsed, for the ledger, with the dialect's one usage mapping. */
/** A function call's part (a chunk's text that quotes one has its quotes escaped). */
const FUNCTION_CALL = /"functionCall"\s*:/;

export class GeminiRelayObserver {
  private readonly parser: EventSourceParser;
  private readonly decoder = new StringDecoder('utf8');
  private lastUsage: GeminiUsageMetadata | undefined;
  private output = '';
  private elements = 0;
  error: GatewayError | undefined;
  /** The last parsed chunks naming a model version and giving finish reasons. */
  private modelChunk: GeminiResponse | undefined;
  private finishChunk: GeminiResponse | undefined;
  private calledFunctions = false;

  constructor(
    private readonly framing: GeminiStreamFraming,
    private readonly providerId: string,
    private readonly redact: (text: string) => string,
    /** Watch for function calls in every chunk too (telemetry is on): they decide the finish reason. */
    private readonly watchAnswers = false,
  ) {
    this.parser = createBoundedParser({ onEvent: (event) => this.onChunk(event.data) });
  }

  /** What goes out before the first chunk. */
  opening(): string {
    return this.framing === 'sse' ? '' : '[';
  }

  /** Feeds one upstream piece; returns what to write to the client now (may be empty). */
  push(piece: Buffer | string): string {
    this.parser.feed(typeof piece === 'string' ? piece : this.decoder.write(piece));
    const ready = this.output;
    this.output = '';
    return ready;
  }

  /** The upstream's body ended: a chunk left without its closing blank line still goes out. */
  end(): string {
    this.parser.feed(this.decoder.end() + '\n\n');
    const ready = this.output + (this.framing === 'sse' ? '' : ']');
    this.output = '';
    return ready;
  }

  /** A whole JSON answer's chunks (a host that answers the stream request with an array). */
  pushChunks(chunks: GeminiResponse[]): string {
    for (const chunk of chunks) this.onChunk(JSON.stringify(chunk));
    const ready = this.output;
    this.output = '';
    return ready;
  }

  /** Finish reasons and model version, from the chunks parsed for usage anyway. */
  get answer(): AnswerFacts {
    return answerFactsFromGemini([this.modelChunk, this.finishChunk], this.calledFunctions);
  }

  get usage(): TokenUsage | undefined {
    return this.lastUsage ? usageFromGemini(this.lastUsage) : undefined;
  }

  private onChunk(data: string): void {
    if (!data.trim()) return;
    if (this.watchAnswers && !this.calledFunctions && FUNCTION_CALL.test(data)) this.calledFunctions = true;
    let forwarded = data;
    if (data.includes('"usageMetadata"') || data.includes('"error"')) forwarded = this.read(data);
    if (this.framing === 'sse') this.output += `data: ${forwarded.includes('\n') ? forwarded.split('\n').join('\ndata: ') : forwarded}\r\n\r\n`;
    else this.output += `${this.elements++ === 0 ? '' : ',\r\n'}${forwarded}`;
  }

  private read(data: string): string {
    let chunk: GeminiResponse;
    try {
      chunk = JSON.parse(data) as GeminiResponse;
    } catch {
      return data;
    }
    if (hasTokenCounts(chunk.usageMetadata)) this.lastUsage = chunk.usageMetadata;
    if (chunk.modelVersion) this.modelChunk = chunk;
    if (chunk.candidates?.some((candidate) => candidate.finishReason)) this.finishChunk = chunk;
    if (callsFunction(chunk)) this.calledFunctions = true;
    if (!chunk.error) return data;
    this.error ??= geminiError(chunk.error.code ?? 502, {}, data, this.providerId);
    return redactJsonText(data, this.redact);
  }
}
